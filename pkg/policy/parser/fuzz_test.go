package parser

import (
	"encoding/json"
	"errors"
	"github.com/plumbline/plumbline/pkg/input"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/plumbline/plumbline/pkg/report"
)

// fuzzParser checks what every parser promises on any bytes: no panic; an
// error is an *report.InputError naming the file, with a line inside it (or none); a
// value is one OPA accepts as input and that encodes as JSON, and line
// lookups stay inside the file.
func fuzzParser(f *testing.F, name string, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	p, err := New(name)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		in, err := p.Parse("fuzz", []byte(text))
		lines := input.LineCount([]byte(text))
		if err != nil {
			var pe *report.InputError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *report.InputError", err, err)
			}
			if pe.File != "fuzz" || pe.Line < 0 || pe.Line > lines+1 {
				t.Fatalf("error %v points outside the file (%d lines)", err, lines)
			}
			return
		}
		if _, err := ast.InterfaceToValue(in.Value); err != nil {
			t.Fatalf("OPA refuses the value: %v", err)
		}
		if _, err := json.Marshal(in.Value); err != nil {
			t.Fatalf("value does not encode: %v", err)
		}
		for _, path := range [][]any{nil, {0}, {"a"}, {0, "a", 1}} {
			if l := in.Line(path); l < 0 || l > lines {
				t.Fatalf("Line(%v) = %d outside %d lines", path, l, lines)
			}
		}
		in.Guess(text)
	})
}

func FuzzYAML(f *testing.F) {
	fuzzParser(f, "yaml", k8s, "a: &a [1]\nb: *a\n", "<<: {a: 1}\n", "- a\n- b: [c, {d: e}]\n", "? [a]\n: b\n", "a: !!int x\n", "%YAML 1.1\n---\na: 1\n")
}

func FuzzJSON(f *testing.F) {
	fuzzParser(f, "json", `{"a": [1, {"b": null}], "c": "d"}`, "[1, 2.5e3, true]", `{"a": {"": {"": 1}}}`, "\ufeff{}", `"x"`)
}

func FuzzHCL2(f *testing.F) {
	fuzzParser(f, "hcl2", tf, "a = \"${b}\"\n", "x \"y\" { z = [for k, v in m : v] }\n", "b {}\nb \"l\" {}\n", "a = <<EOT\n%{for x in y}${x}%{endfor}\nEOT\n", "a = { (k) = 1, b.c = 2 }\n")
}

func FuzzINI(f *testing.F) {
	fuzzParser(f, "ini", "[web]\nweb1 ansible_host=10.0.0.5\n[web:vars]\nx = 1\n", "a=1\n[s]\nb = 'q' ; c\n", "[a:children]\nb\n")
}

func FuzzDotenv(f *testing.F) {
	fuzzParser(f, "dotenv", "export A=1\nB=\"$A\\n\"\nC='x'\n", "A=${B}${C}\n", "A.b-c: d\n")
}

func FuzzTOML(f *testing.F) {
	fuzzParser(f, "toml", "a = 1\n[b]\nc = [1, 2]\nd = 2024-01-01T00:00:00Z\n", "[[x]]\ny = 1.5\n", "a = inf\n")
}

func FuzzZone(f *testing.F) {
	fuzzParser(f, "zone", "$ORIGIN a.test.\n$TTL 60\n@ SOA ns h 1 2 3 4 5\nns A 192.0.2.1\n", "$TTL 1\nx.a.test. TXT \"a\" \"b\"\n", "$ORIGIN .\n")
}

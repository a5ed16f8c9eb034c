package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/plumbline/plumbline/pkg/report"
)

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     report.InputError
	}{
		{"empty", ``, report.InputError{Line: 1, Column: 1, Msg: "unexpected end of file"}},
		{"not an object", `[1]`, report.InputError{Line: 1, Column: 1, Msg: "want a JSON object"}},
		{"syntax", "{\n  \"tool\": \"x\",\n  \"findings\": [}\n", report.InputError{Line: 3, Column: 16, Msg: "invalid character '}' looking for beginning of value"}},
		{"no tool", `{"findings": []}`, report.InputError{Line: 1, Column: 1, Msg: `missing "tool": not a Plumbline report`}},
		{"no findings", `{"tool": "x"}`, report.InputError{Line: 1, Column: 1, Msg: `missing "findings": not a Plumbline report`}},
		{"findings not array", `{"tool": "x", "findings": {}}`, report.InputError{Line: 1, Column: 27, Msg: `want "findings" as an array`}},
		{"tool not string", "{\n\"tool\": 7, \"findings\": []}", report.InputError{Line: 2, Column: 9, Msg: "value: want string, got number"}},
		{"bad severity", "{\"tool\": \"x\", \"findings\": [\n  {\"rule\": \"r\", \"severity\": \"fatal\", \"message\": \"m\"}]}", report.InputError{Line: 2, Column: 3, Msg: `unknown severity "fatal" (want error, warning or note)`}},
		{"no rule", "{\"tool\": \"x\", \"findings\": [{\"rule\": \"r\", \"severity\": \"note\", \"message\": \"m\"},\n {\"severity\": \"note\", \"message\": \"m\"}]}", report.InputError{Line: 2, Column: 2, Msg: "finding 1: missing rule"}},
		{"line type", `{"tool": "x", "findings": [{"rule": "r", "severity": "note", "message": "m", "line": "3"}]}`, report.InputError{Line: 1, Column: 28, Msg: "line: want int, got string"}},
		{"end before start", `{"tool": "x", "findings": [{"rule": "r", "severity": "note", "message": "m", "line": 5, "endLine": 2}]}`, report.InputError{Line: 1, Column: 28, Msg: "finding 0: endLine 2 before line 5"}},
		{"trailing", `{"tool": "x", "findings": []} {}`, report.InputError{Line: 1, Column: 31, Msg: "unexpected data after the report object"}},
		{"truncated", `{"tool": "x", "findings": [{"rule": "r"`, report.InputError{Line: 1, Column: 40, Msg: "unexpected end of file"}},
		{"unicode column", "{\"tool\": \"é\", \"findings\": [}", report.InputError{Line: 1, Column: 28, Msg: "invalid character '}' looking for beginning of value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := report.Decode("r.json", []byte(tt.in))
			var pe *report.InputError
			if !errors.As(err, &pe) {
				t.Fatalf("Decode error = %v, want a *InputError", err)
			}
			tt.want.File = "r.json"
			if diff := cmp.Diff(&tt.want, pe); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// A report decides a verdict: what a last-wins or lenient reader would
// take differently is refused, at its line (issue 30: a second "findings"
// emptied the first).
func TestDecodeStrict(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"second findings", "{\"tool\": \"x\", \"findings\": [{\"rule\": \"r\", \"severity\": \"error\", \"message\": \"m\"}],\n \"findings\": []}", `r.json:2:2: "findings" given twice`},
		{"second summary", `{"tool": "x", "summary": {"errors": 1}, "summary": {"errors": 0}, "findings": []}`, `r.json:1:41: "summary" given twice`},
		{"key twice in a finding", `{"tool": "x", "findings": [{"rule": "r", "severity": "error", "severity": "note", "message": "m"}]}`, `r.json:1:63: "severity" given twice`},
		{"key twice in summary", `{"tool": "x", "summary": {"passed": false, "passed": true}, "findings": []}`, `r.json:1:44: "passed" given twice`},
		{"key twice in other case", `{"tool": "x", "findings": [{"rule": "r", "severity": "error", "Severity": "note", "message": "m"}]}`, `r.json:1:63: "Severity" given twice`},
		{"key twice with an escape", `{"tool": "x", "findings": [], "findin\u0067s": []}`, `r.json:1:31: "findings" given twice`},
		{"unknown top-level field", `{"tool": "x", "schema": 2, "findings": []}`, `r.json:1:25: unknown field "schema"`},
		{"unknown field in a finding", `{"tool": "x", "findings": [{"rule": "r", "severity": "warning", "message": "m", "extra": 1}]}`, `r.json:1:28: unknown field "extra"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := report.Decode("r.json", []byte(tt.in))
			if err == nil {
				t.Fatal("accepted")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// The same keys in different objects are no duplicates.
	in := `{"tool": "x", "findings": [{"rule": "r", "severity": "note", "message": "m"}, {"rule": "r", "severity": "note", "message": "m"}], "details": {"rule": "d"}}`
	if _, err := report.Decode("r.json", []byte(in)); err != nil {
		t.Fatal(err)
	}
}

// FuzzDecode checks Decode against encoding/json as a slow reference: it
// never panics, accepts only valid JSON, rejects what encoding/json cannot
// read into a Report, and what it accepts survives a write and a re-read.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"tool":"x","version":"1","summary":{"errors":1,"files":2,"passed":false},"findings":[{"rule":"r","severity":"error","message":"m","file":"a.tf","line":1,"column":2,"endLine":3,"endColumn":4,"snippet":"s","help":"h"}]}`,
		`{"tool":"report","findings":[],"checks":[{"tool":"a","source":"a.json","status":"missing","summary":{}}]}`,
		`{"tool":"x","findings":[{"rule":"r","severity":"note","message":"m","tool":"y"}]}`,
		`{"tool":"x","findings":[{"rule":"r","severity":"error","message":"m","Rule":"s"}]}`,
		`{"tool": 1}`, `[]`, `{"tool":"x","findings":[],"checks":[]}`, `{`, `{"tool":"x","findings":null}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := report.Decode("fuzz.json", data)
		if err != nil {
			var pe *report.InputError
			if !errors.As(err, &pe) || pe.Line < 1 || pe.Column < 1 {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		var ref report.Report
		if err := json.Unmarshal(data, &ref); err != nil {
			t.Fatalf("accepted what encoding/json rejects (%v): %q", err, data)
		}
		if key, dup := slowDuplicate(data); dup {
			t.Fatalf("accepted a report that gives %q twice in one object: %q", key, data)
		}
		var buf bytes.Buffer
		if err := (&report.JSON{}).Write(&buf, r); err != nil {
			t.Fatal(err)
		}
		back, err := report.Decode("again.json", buf.Bytes())
		if err != nil {
			t.Fatalf("cannot re-read own output: %v\n%s", err, buf.String())
		}
		if diff := cmp.Diff(r, back, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("round trip (-first +second):\n%s", diff)
		}
	})
}

// The findings budget at its edge: exactly MaxFindings is a report, one
// more is not (a merged report may hold MaxMergedFindings).
func TestDecodeFindingsBudget(t *testing.T) {
	doc := func(n int, merged bool) []byte {
		var b strings.Builder
		b.WriteString(`{"tool": "t", "findings": [`)
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`{"rule": "r", "severity": "note", "message": "m"}`)
		}
		b.WriteString("]")
		if merged {
			b.WriteString(`, "checks": [{"tool": "t", "source": "t.json", "status": "ran"}]`)
		}
		b.WriteString("}")
		return []byte(b.String())
	}
	if _, err := report.Decode("r.json", doc(report.MaxFindings, false)); err != nil {
		t.Errorf("at the budget: %v", err)
	}
	_, err := report.Decode("r.json", doc(report.MaxFindings+1, false))
	if err == nil || !strings.Contains(err.Error(), "more than 10000 findings: over the budget of one report") {
		t.Errorf("over the budget: %v", err)
	}
	if _, err := report.Decode("r.json", doc(report.MaxFindings+1, true)); err != nil {
		t.Errorf("a merged report over one check's budget: %v", err)
	}
	if _, err := report.Decode("r.json", doc(report.MaxMergedFindings+1, true)); err == nil {
		t.Error("a merged report over its budget was read")
	}
}

// A finding with an absolute path keeps its place in the merge: the path
// moves into its message, and a warning says so (issue 15 §3).
func TestDecodeAbsolutePath(t *testing.T) {
	r, err := report.Decode("r.json", []byte(`{"tool": "x", "findings": [{"rule": "r", "severity": "error", "message": "m", "file": "/src/a.tf", "line": 3}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []report.Finding{
		{Rule: "r", Severity: report.Error, Message: "m (in /src/a.tf)"},
		{Rule: report.RulePathAbsolute, Severity: report.Warning, Tool: "x", Message: "r.json: 1 findings name an absolute path, not one relative to the scanned root; their file is in the message"},
	}
	if diff := cmp.Diff(want, r.Findings); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A finding carries bounded text however long the message its policy
// wrote: a report of 10,000 findings stays a few MiB (issue 30).
func TestDecodeBoundsText(t *testing.T) {
	long := strings.Repeat("x", 10*report.MaxMessage)
	in := `{"tool": "x", "findings": [{"rule": "r", "severity": "error", "message": "` + long + `", "snippet": "` + long + `", "help": "` + long + `"}]}`
	r, err := report.Decode("r.json", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	f := r.Findings[0]
	if len(f.Message) > report.MaxMessage || len(f.Snippet) > report.MaxSnippet || len(f.Help) > report.MaxHelp || !strings.HasSuffix(f.Message, "…") {
		t.Errorf("message %d, snippet %d, help %d bytes", len(f.Message), len(f.Snippet), len(f.Help))
	}
}

// slowDuplicate is the reference for Decode's duplicate keys: every
// object's keys through encoding/json's tokens, unescaped, compared as it
// matches fields (without regard to case).
func slowDuplicate(data []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		keys    map[string]bool
		wantKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		if n := len(stack); n > 0 && stack[n-1].keys != nil {
			top := stack[n-1]
			if top.wantKey {
				if key, ok := tok.(string); ok {
					k := strings.ToLower(key)
					if top.keys[k] {
						return key, true
					}
					top.keys[k], top.wantKey = true, false
					continue
				}
			} else {
				top.wantKey = true
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{keys: map[string]bool{}, wantKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}

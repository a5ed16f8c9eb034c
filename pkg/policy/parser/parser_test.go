package parser

import (
	"encoding/json"
	"errors"
	"github.com/plumbline/plumbline/pkg/input"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/plumbline/plumbline/pkg/report"
)

func parse(t *testing.T, name, file, text string) *input.Input {
	t.Helper()
	p, err := New(name)
	if err != nil {
		t.Fatal(err)
	}
	in, err := p.Parse(file, []byte(text))
	if err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	return in
}

func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

const k8s = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:latest
        - name: sidecar
          image: busybox
---
apiVersion: v1
kind: Service
metadata:
  name: web
`

const tf = `variable "password" {
  default = "x"
}

resource "proxmox_virtual_environment_vm" "web" {
  cpu {
    cores = 4
  }
  tags = ["a",
    "b"]
}

data "dns_a_record_set" "nas" {
  host = "nas.home.arpa"
}
`

// TestLines: paths inside documents map back to the lines they came from.
func TestLines(t *testing.T) {
	for _, tc := range []struct {
		parser, file, text string
		path               []any
		want               int
	}{
		{"yaml", "a.yaml", k8s, []any{0}, 1},
		{"yaml", "a.yaml", k8s, []any{1}, 14},
		{"yaml", "a.yaml", k8s, []any{0, "spec", "template", "spec", "containers", 1, "image"}, 12},
		{"yaml", "a.yaml", k8s, []any{0, "spec", "template", "spec", "containers", 1}, 11},
		{"yaml", "a.yaml", k8s, []any{0, "spec", "template", "spec", "containers", 7, "image"}, 8}, // deepest known part
		{"yaml", "a.yaml", k8s, []any{1, "metadata", "name"}, 17},
		{"json", "a.json", "{\n  \"a\": {\n    \"b\": [\n      1,\n      {\"c\": 2}\n    ]\n  },\n  \"d\": 3\n}\n", []any{"a", "b", 1, "c"}, 5},
		{"json", "a.json", "{\n  \"a\": {\n    \"b\": [\n      1,\n      {\"c\": 2}\n    ]\n  },\n  \"d\": 3\n}\n", []any{"d"}, 8},
		{"json", "a.json", "[\n {\"x\": 1},\n {\"x\": 2}\n]", []any{1, "x"}, 3},
		{"hcl2", "main.tf", tf, []any{"resource", "proxmox_virtual_environment_vm", "web", 0}, 5},
		{"hcl2", "main.tf", tf, []any{"resource", "proxmox_virtual_environment_vm", "web", 0, "cpu", 0, "cores"}, 7},
		{"hcl2", "main.tf", tf, []any{"resource", "proxmox_virtual_environment_vm", "web", 0, "tags", 1}, 10},
		{"hcl2", "main.tf", tf, []any{"variable", "password", 0, "default"}, 2},
		{"ini", "hosts.ini", "[web]\nweb1 ansible_host=10.0.0.5\n\n[web:vars]\nansible_password=secret\n", []any{"web:vars", "ansible_password"}, 5},
		{"dotenv", ".env", "# x\nA=1\nB=2\n", []any{"B"}, 3},
		{"zone", "home.arpa.zone", "$TTL 300\n@ IN SOA ns h 1 2 3 4 5\n@ IN NS ns\nns IN A 10.0.0.1\nnas IN A 10.0.0.2\n", []any{"records", 3}, 5},
	} {
		in := parse(t, tc.parser, tc.file, tc.text)
		if got := in.Line(tc.path); got != tc.want {
			t.Errorf("%s %v: line %d, want %d", tc.file, tc.path, got, tc.want)
		}
	}
}

// TestGuess: a message naming a Terraform block or a DNS name finds it.
func TestGuess(t *testing.T) {
	in := parse(t, "hcl2", "main.tf", tf)
	for msg, want := range map[string]int{
		"proxmox_virtual_environment_vm.web has no tags":   5,
		"data.dns_a_record_set.nas is stale":               13,
		"var.password has a default":                       1,
		"proxmox_virtual_environment_vm.webserver unknown": 0,
		"nothing here": 0,
	} {
		if got := in.Guess(msg); got != want {
			t.Errorf("Guess(%q) = %d, want %d", msg, got, want)
		}
	}
	z := parse(t, "zone", "home.arpa.zone", "$TTL 300\n@ IN SOA ns h 1 2 3 4 5\n@ IN NS ns\nns IN A 10.0.0.1\nnas IN A 10.0.0.2\n")
	if got := z.Guess("nas.home.arpa. has no PTR"); got != 5 {
		t.Errorf("zone guess = %d, want 5", got)
	}
}

// TestShapes covers the formats conftest does not parse (zone files,
// Ansible inventories), and YAML 1.1 scalars.
func TestShapes(t *testing.T) {
	for _, tc := range []struct {
		parser, file, text string
		want               string
	}{
		{"zone", "home.arpa.zone", "$TTL 300\n@ IN SOA ns h 1 2 3 4 5\nnas 60 IN A 10.0.0.2\nwww IN CNAME nas\n",
			`{"origin":"home.arpa.","records":[
			 {"name":"home.arpa.","type":"SOA","class":"IN","ttl":300,"value":"ns.home.arpa. h.home.arpa. 1 2 3 4 5"},
			 {"name":"nas.home.arpa.","type":"A","class":"IN","ttl":60,"value":"10.0.0.2"},
			 {"name":"www.home.arpa.","type":"CNAME","class":"IN","ttl":300,"value":"nas.home.arpa."}]}`},
		{"ini", "hosts", "# inventory\nbastion\n[web]\nweb1 ansible_host=10.0.0.5 ansible_port=2222 note='a b'\nweb2\n[web:vars]\nansible_user = admin\n[all:children]\nweb\n",
			`{"web":{"web1":{"ansible_host":"10.0.0.5","ansible_port":2222,"note":"a b"},"web2":{}},
			  "web:vars":{"ansible_user":"admin"},"all:children":{"web":{}}}`},
		{"yaml", "a.yaml", "a: yes\nb: off\nc: 0755\nd: 0x1F\ne: 1_000\nf: '1'\ng: ~\nh: 2024-01-01\ni: 1.5e3\nj: .inf\n",
			`{"a":true,"b":false,"c":493,"d":31,"e":1000,"f":"1","g":null,"h":"2024-01-01","i":1500,"j":".inf"}`},
		{"yaml", "a.yaml", "base: &b {x: 1, z: 2}\nderived:\n  <<: *b\n  z: 3\n", `{"base":{"x":1,"z":2},"derived":{"x":1,"z":3}}`},
		// go-yaml v2, which conftest uses, reads the key y as true.
		{"yaml", "a.yaml", "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n", `{"base":{"x":1,"true":2},"derived":{"x":1,"true":3}}`},
		{"dotenv", ".env", "export A=1\nB=\"x $A\\n\"\nC='$A'\nD=${A}2 # comment\n", `{"A":"1","B":"x 1\n","C":"$A","D":"12"}`},
	} {
		var want any
		if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
			t.Fatal(err)
		}
		in := parse(t, tc.parser, tc.file, tc.text)
		if d := cmp.Diff(want, asJSON(t, in.Value)); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.file, d)
		}
	}
}

// TestErrors: every malformed input is an *report.InputError naming the file and,
// where the format allows, the line.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		parser, text string
		line         int
		msg          string
	}{
		{"yaml", "a: 1\nb: [1, 2\nc: 3\n", 1, "did not find expected ',' or ']'"},
		{"yaml", "a: 1\n  b: 2\n", 2, "mapping values are not allowed"},
		{"yaml", "a: &x [*x]\n", 1, "refers to itself"},
		{"json", "{\n  \"a\": 1,\n  \"b\" 2\n}\n", 3, "invalid character"},
		{"json", "{\"a\": 1} {\"b\": 2}", 1, "after the JSON value"},
		{"json", "", 0, "empty file"},
		{"json", "{\"a\": [1, 2", 1, "unexpected end"},
		{"json", "{\n  \"a\": \"caf\xe9\"\n}\n", 2, "invalid UTF-8 (byte 0xe9)"},
		{"hcl2", "resource \"a\" \"b\" {\n  x = \n}\n", 2, "Invalid expression"},
		{"tfvars", "a = 1\nmodule \"x\" {}\n", 2, "variable assignments only"},
		{"tfplan", "{\"a\": 1}", 1, "not a Terraform JSON plan"},
		{"ini", "[web\nhost\n", 1, "no closing ]"},
		{"ini", "[web]\nweb1 ansible_host='10.0.0.5\n", 2, "unterminated ' quote"},
		{"ini", "[web]\nweb1 novalue\n", 2, "want key=value"},
		{"dotenv", "A=1\nthis is not\n", 2, "want KEY=value"},
		{"toml", "a = 1\nb = \n", 2, "expected value"},
		{"zone", "$ORIGIN home.arpa.\n@ IN SOA ns h 1 2 3 4 5\nx IN A 300.1.1.1\n", 3, "bad A"},
		{"zone", "$INCLUDE /etc/passwd\n", 0, "$INCLUDE"},
	} {
		p, _ := New(tc.parser)
		_, err := p.Parse("f", []byte(tc.text))
		var pe *report.InputError
		if !errors.As(err, &pe) {
			t.Errorf("%s %q: error %v is not a *report.InputError", tc.parser, tc.text, err)
			continue
		}
		if pe.File != "f" || pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
			t.Errorf("%s %q: got %s:%d %q, want line %d with %q", tc.parser, tc.text, pe.File, pe.Line, pe.Msg, tc.line, tc.msg)
		}
	}
}

// TestAliasBomb: a few hundred bytes of nested aliases are refused
// quickly, not expanded into gigabytes.
func TestAliasBomb(t *testing.T) {
	bomb := "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		bomb += n + ": &" + n + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ",") + "]\n"
		prev = n
	}
	start := time.Now()
	_, err := input.YAML("bomb.yaml", []byte(bomb))
	if err == nil || !strings.Contains(err.Error(), "alias bomb") {
		t.Fatalf("got %v, want the alias bomb refused", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refusing took %s", d)
	}
}

func TestNew(t *testing.T) {
	if _, err := New("xml"); err == nil || !strings.Contains(err.Error(), "known: dotenv, hcl2, ini, json, tfplan, tfvars, toml, yaml, zone") {
		t.Errorf("New(xml) = %v", err)
	}
	for file, want := range map[string]string{
		"a/b.yml": "yaml", "x.JSON": "json", "main.tf": "hcl2", "prod.tfvars": "tfvars", "plan.tfplan.json": "tfplan",
		"tfplan.json": "tfplan", "hosts.ini": "ini", "app.toml": "toml", ".env": "dotenv", ".env.prod": "dotenv",
		"prod.env": "dotenv", "home.arpa.zone": "zone", "x.hcl": "hcl2", "README.md": "", "hosts": "",
	} {
		if got, _ := ForPath(file); got != want {
			t.Errorf("ForPath(%s) = %q, want %q", file, got, want)
		}
	}
}

// A zone file given to policy-check has dns-zone-diff's record budget: 40
// lines of $GENERATE 0-65535 are an error, not 2.6 million records.
func TestZoneRecordsBudget(t *testing.T) {
	p, err := New("zone")
	if err != nil {
		t.Fatal(err)
	}
	data := "$ORIGIN gen.arpa.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n" + strings.Repeat("$GENERATE 0-65535 h$ A 10.0.0.1\n", 40)
	if _, err := p.Parse("gen.arpa.zone", []byte(data)); err == nil || !strings.Contains(err.Error(), "more than 500000 records") {
		t.Errorf("error = %v", err)
	}
}

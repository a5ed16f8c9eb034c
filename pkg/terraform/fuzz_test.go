package terraform

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/plumbline/plumbline/pkg/nesting"
)

// FuzzStaticRules feeds arbitrary text through the parser and every static
// rule: no input may panic, and every finding must point into the file.
func FuzzStaticRules(f *testing.F) {
	for _, seed := range []string{
		"variable \"api_token\" {\n  default = \"x\"\n}\n",
		"terraform {\n  required_providers {\n    a = { source = \"x/a\" }\n    b = \"1.0\"\n  }\n}\n",
		"module \"m\" {\n  source = \"git::https://h/r.git\"\n  x = var.y\n}\n",
		"# plumbline:ignore terraform/secret-literal why\nvariable \"password\" { default = 1 }\n",
		"variable \"v\" {}\nlocals { a = var.w[0].x }\n",
		"variable \"token\" { default = null\n sensitive = \"yes\" }",
		"terraform { required_providers { p = { version = null } } }",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, text string, vars bool) {
		name := "main.tf"
		if vars {
			name = "x.tfvars"
		}
		if _, _, deep := nesting.Deeper([]byte(text), MaxNesting); deep {
			return
		}
		file, diags := hclsyntax.ParseConfig([]byte(text), name, hcl.InitialPos)
		if diags.HasErrors() {
			return
		}
		s := &source{path: name, file: file, text: []byte(text), vars: vars}
		lines := strings.Count(text, "\n") + 1
		for _, fd := range staticRules([]*source{s}) {
			if fd.File != name || fd.Line < 1 || fd.Line > lines || fd.Rule == "" || fd.Message == "" {
				t.Fatalf("bad finding %+v for %q", fd, text)
			}
		}
	})
}

// FuzzPlanJSON: whatever terraform show -json (or a forged file) holds,
// the summary and the masked plan for policy-check are written without a
// panic, and the masked plan is JSON (TestPlan and TestMaskPlan hold what
// it masks).
func FuzzPlanJSON(f *testing.F) {
	f.Add(`{"format_version":"1.2","terraform_version":"1.11.0","resource_changes":[{"address":"lab_vm.a","mode":"managed","type":"lab_vm","name":"a","change":{"actions":["update"],"before":{"password":"hunter2hunter2","cores":2},"after":{"password":"hunter2hunter2","cores":4},"before_sensitive":{"password":true},"after_sensitive":{"password":true}}}]}`)
	f.Add(`{"format_version":"1.2","resource_drift":[{"mode":"managed","change":{"actions":["delete"],"before":{"api_token":"hunter2hunter2"}}}],"prior_state":{"values":{"root_module":{"resources":[{"mode":"managed","values":{"token":"hunter2hunter2"},"sensitive_values":{}}]}}}}`)
	f.Add(`{"output_changes":{"db_password":{"actions":["create"],"after":"hunter2hunter2"}},"planned_values":{"outputs":{"x":{"sensitive":true,"value":"hunter2hunter2"}}}}`)
	f.Fuzz(func(t *testing.T, text string) {
		if p, err := parsePlan([]byte(text)); err == nil {
			var l limit
			l.Set("1")
			summarise("m", p, func(string, string) (string, int) { return "", 0 }, l, func(s string) string { return s })
		}
		out, err := maskPlan([]byte(text), func(s string) string { return s })
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("masked plan is not JSON: %s", out)
		}
	})
}

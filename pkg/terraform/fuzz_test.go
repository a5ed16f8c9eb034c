package terraform

import (
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

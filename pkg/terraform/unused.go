package terraform

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/plumbline/plumbline/pkg/report"
)

// RuleUnused: a variable, local value or data source nothing refers to.
const RuleUnused = "terraform/unused-declaration"

// declaration is a variable, local or data source, by how references
// name it (var.x, local.x, data.t.n).
type declaration struct {
	key, what string
	s         *source
	r         hcl.Range
}

// unusedRules reports what a module declares and never refers to, as
// tflint's terraform_unused_declarations does (TestUnusedAsTflint): a
// variable nobody sets a value from, a local nobody reads, a data source
// nobody reads: dead code that misleads the next reader, and a variable
// a caller may set for nothing. A variable's own validation is no use
// of it. A module with a .tf.json file is not judged: its references are
// not read here.
func unusedRules(sources []*source) []hit {
	var decls []declaration
	used := map[string]bool{}
	for _, s := range sources {
		if s.vars || s.test {
			continue
		}
		body, ok := s.file.Body.(*hclsyntax.Body)
		if !ok {
			return nil // JSON syntax
		}
		for _, b := range body.Blocks {
			switch {
			case b.Type == "variable" && len(b.Labels) == 1 && !isOverride(s.path):
				decls = append(decls, declaration{key: "var." + b.Labels[0], what: "variable \"" + b.Labels[0] + "\"", s: s, r: b.DefRange()})
			case b.Type == "data" && len(b.Labels) == 2 && !isOverride(s.path):
				decls = append(decls, declaration{key: "data." + b.Labels[0] + "." + b.Labels[1], what: "data \"" + b.Labels[0] + "\" \"" + b.Labels[1] + "\"", s: s, r: b.DefRange()})
			case b.Type == "locals" && !isOverride(s.path):
				for name, a := range b.Body.Attributes {
					decls = append(decls, declaration{key: "local." + name, what: "local." + name, s: s, r: a.SrcRange})
				}
			}
		}
		for _, b := range body.Blocks {
			refs := map[string]bool{}
			references(b.Body, refs, 0)
			if b.Type == "variable" && len(b.Labels) == 1 {
				delete(refs, "var."+b.Labels[0]) // its own validation is no use
			}
			for k := range refs {
				used[k] = true
			}
		}
	}
	var hits []hit
	for _, d := range decls {
		if used[d.key] {
			continue
		}
		hits = append(hits, newHit(RuleUnused, report.Warning, d.s, d.r, d.r.Start.Line,
			"%s is declared but not used: remove it, or use it where it was meant to be", d.what))
	}
	return hits
}

// references adds every var.x, local.x and data.t.n that body's
// expressions refer to, at any depth.
func references(body *hclsyntax.Body, used map[string]bool, depth int) {
	if depth > 64 {
		return
	}
	for _, a := range body.Attributes {
		for _, tr := range a.Expr.Variables() {
			addReference(tr, used)
		}
	}
	for _, b := range body.Blocks {
		references(b.Body, used, depth+1)
	}
}

func addReference(tr hcl.Traversal, used map[string]bool) {
	root := tr.RootName()
	parts := []string{root}
	want := map[string]int{"var": 1, "local": 1, "data": 2}[root]
	for _, step := range tr[1:] {
		if len(parts) > want {
			break
		}
		a, ok := step.(hcl.TraverseAttr)
		if !ok {
			break
		}
		parts = append(parts, a.Name)
	}
	if want > 0 && len(parts) == want+1 {
		used[strings.Join(parts, ".")] = true
	}
}

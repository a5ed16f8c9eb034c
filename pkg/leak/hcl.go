package leak

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbline/plumbline/pkg/nesting"
	"github.com/plumbline/plumbline/pkg/secret"
)

// hclHits finds literal strings given to credential-named arguments
// anywhere in a Terraform, tfvars or other HCL file: resource and module
// arguments, provider blocks, locals, object values, a variable's default.
// A file that does not parse has none: terraform-validate reports it.
func hclHits(name string, data []byte, lines []string) []hit {
	// Past the HCL budgets the policy check reports the file.
	if !nesting.HCLFits(data) {
		return nil
	}
	f, diags := hclsyntax.ParseConfig(data, name, hcl.InitialPos)
	if diags.HasErrors() || f == nil {
		return nil
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	w := &hclWalk{lines: lines}
	w.body(body, 0)
	return w.hits
}

type hclWalk struct {
	lines []string
	hits  []hit
}

func (w *hclWalk) body(b *hclsyntax.Body, depth int) {
	if depth > maxDepth {
		return
	}
	for _, a := range b.Attributes {
		w.attr(a.Name, a.Expr, depth)
	}
	for _, blk := range b.Blocks {
		if blk.Type == "variable" && len(blk.Labels) == 1 && secret.Name(blk.Labels[0]) {
			if d, ok := blk.Body.Attributes["default"]; ok {
				w.literal(blk.Labels[0], d.Expr)
			}
		}
		w.body(blk.Body, depth+1)
	}
}

// attr checks one name = expression, and the objects inside it.
func (w *hclWalk) attr(name string, e hclsyntax.Expression, depth int) {
	if depth > maxDepth {
		return
	}
	if secret.Name(name) {
		w.literal(name, e)
	}
	switch x := e.(type) {
	case *hclsyntax.ObjectConsExpr:
		for _, item := range x.Items {
			if k := objectKey(item.KeyExpr); k != "" {
				w.attr(k, item.ValueExpr, depth+1)
			}
		}
	case *hclsyntax.TupleConsExpr:
		for _, item := range x.Exprs {
			w.attr("", item, depth+1)
		}
	}
}

// literal records e when it is a string written out in the file.
func (w *hclWalk) literal(name string, e hclsyntax.Expression) {
	s, ok := literalString(e)
	if !ok || placeholder(s) {
		return
	}
	r := e.Range()
	h := hit{rule: RuleAssignment, detail: "a value for " + name, line: r.Start.Line, length: len(s)}
	if r.Start.Line >= 1 && r.Start.Line <= len(w.lines) {
		if i := strings.Index(w.lines[r.Start.Line-1][min(r.Start.Column-1, len(w.lines[r.Start.Line-1])):], s); i >= 0 {
			h.col = r.Start.Column + i
		}
	}
	w.hits = append(w.hits, h)
}

// literalString is the value of "text" with no interpolation.
func literalString(e hclsyntax.Expression) (string, bool) {
	switch x := e.(type) {
	case *hclsyntax.TemplateExpr:
		if len(x.Parts) == 1 {
			return literalString(x.Parts[0])
		}
	case *hclsyntax.LiteralValueExpr:
		if x.Val.Type() == cty.String && x.Val.IsKnown() && !x.Val.IsNull() {
			return x.Val.AsString(), true
		}
	}
	return "", false
}

// objectKey is an object item's key when it is a plain name or string.
func objectKey(e hclsyntax.Expression) string {
	if k, ok := e.(*hclsyntax.ObjectConsKeyExpr); ok {
		if t, ok := k.Wrapped.(*hclsyntax.ScopeTraversalExpr); ok && len(t.Traversal) == 1 {
			return t.Traversal.RootName()
		}
		if s, ok := literalString(k.Wrapped); ok {
			return s
		}
	}
	return ""
}

package parser

import (
	"encoding/json"
	"fmt"
	"github.com/plumbline/plumbline/pkg/input"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	ctyconvert "github.com/zclconf/go-cty/cty/convert"

	"github.com/plumbline/plumbline/pkg/nesting"
	"github.com/plumbline/plumbline/pkg/report"
)

// hcl2Parser gives Terraform files the shape conftest's hcl2 parser (the
// hcl2json converter) gives them: blocks nest by type and labels and are
// always wrapped in an array; literal values are values; any other
// expression is its source text wrapped in "${…}".
type hcl2Parser struct{}

var _ Parser = hcl2Parser{}

func (hcl2Parser) Parse(name string, data []byte) (*input.Input, error) {
	body, err := parseHCL(name, data)
	if err != nil {
		return nil, err
	}
	c := &hclConv{src: data, file: name, lines: input.Lines{}, names: map[string]int{}}
	v, err := c.body(body, "")
	if err != nil {
		return nil, err
	}
	if err := input.CheckNumbers(v); err != nil {
		return nil, &report.InputError{File: name, Msg: err.Error()}
	}
	return input.WithLines(v, c.lines, c.names), nil
}

// maxNesting is the deepest bracket nesting given to HCL's recursive
// parser, as terraform-validate allows (200 KB of "[" overflowed its stack).
const maxNesting = nesting.HCLDepth

// maxHCLItems bounds the values of one HCL file (nesting.Items), as
// terraform-validate does: hclsyntax holds several hundred bytes for each.
const maxHCLItems = nesting.HCLItems

func parseHCL(name string, data []byte) (*hclsyntax.Body, error) {
	if n := nesting.Items(data); n > maxHCLItems {
		return nil, &report.InputError{File: name, Msg: fmt.Sprintf("about %d values: more than the %d an HCL file may hold (budget)", n, maxHCLItems)}
	}
	if line, what, deep := nesting.Deeper(data, maxNesting); deep {
		return nil, &report.InputError{File: name, Line: line, Msg: fmt.Sprintf("%s nested deeper than %d levels", what, maxNesting)}
	}
	f, diags := hclsyntax.ParseConfig(data, name, hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		for _, d := range diags {
			if d.Severity != hcl.DiagError {
				continue
			}
			e := &report.InputError{File: name, Msg: d.Summary}
			if d.Detail != "" {
				e.Msg += ": " + d.Detail
			}
			if d.Subject != nil {
				e.Line, e.Column = d.Subject.Start.Line, d.Subject.Start.Column
			}
			return nil, e
		}
	}
	return f.Body.(*hclsyntax.Body), nil
}

type hclConv struct {
	src   []byte
	file  string
	lines input.Lines
	names map[string]int
}

func (c *hclConv) fail(r hcl.Range, format string, args ...any) error {
	return &report.InputError{File: c.file, Line: r.Start.Line, Column: r.Start.Column, Msg: fmt.Sprintf(format, args...)}
}

func (c *hclConv) body(b *hclsyntax.Body, path string) (map[string]any, error) {
	out := map[string]any{}
	for _, blk := range b.Blocks {
		if err := c.block(blk, out, path); err != nil {
			return nil, err
		}
	}
	for name, attr := range b.Attributes {
		p := input.Child(path, name)
		c.lines.Set(p, attr.SrcRange.Start.Line)
		v, err := c.expr(attr.Expr, p)
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

func (c *hclConv) block(blk *hclsyntax.Block, out map[string]any, path string) error {
	line := blk.DefRange().Start.Line
	key := blk.Type
	for _, label := range blk.Labels {
		path = input.Child(path, key)
		if !c.lines.Has(path) {
			c.lines.Set(path, line)
		}
		next, exists := out[key]
		if !exists {
			next = map[string]any{}
			out[key] = next
		}
		m, ok := next.(map[string]any)
		if !ok {
			return c.fail(blk.DefRange(), "cannot convert block %s %s: it has labels here and none elsewhere", blk.Type, strings.Join(blk.Labels, " "))
		}
		out, key = m, label
	}
	path = input.Child(path, key)
	if !c.lines.Has(path) {
		c.lines.Set(path, line)
	}
	var list []any
	if cur, exists := out[key]; exists {
		l, ok := cur.([]any)
		if !ok {
			return c.fail(blk.DefRange(), "block %q appears with and without labels", key)
		}
		list = l
	}
	elem := input.Child(path, len(list))
	c.lines.Set(elem, line)
	v, err := c.body(blk.Body, elem)
	if err != nil {
		return err
	}
	out[key] = append(list, v)
	if len(blk.Labels) > 0 {
		name := strings.Join(blk.Labels, ".")
		switch blk.Type {
		case "resource":
		case "variable":
			name = "var." + name
		default:
			name = blk.Type + "." + name
		}
		if _, ok := c.names[name]; !ok {
			c.names[name] = line
		}
	}
	return nil
}

func (c *hclConv) expr(e hclsyntax.Expression, path string) (any, error) {
	switch v := e.(type) {
	case *hclsyntax.LiteralValueExpr:
		return ctyValue(v.Val)
	case *hclsyntax.UnaryOpExpr:
		if _, lit := v.Val.(*hclsyntax.LiteralValueExpr); !lit {
			return c.wrap(v), nil
		}
		val, diags := v.Value(nil)
		if diags.HasErrors() {
			return nil, c.fail(v.Range(), "%s", diags.Error())
		}
		return ctyValue(val)
	case *hclsyntax.TemplateExpr:
		return c.template(v)
	case *hclsyntax.TemplateWrapExpr:
		return c.expr(v.Wrapped, path)
	case *hclsyntax.TupleConsExpr:
		list := make([]any, 0, len(v.Exprs))
		for i, x := range v.Exprs {
			p := input.Child(path, i)
			c.lines.Set(p, x.Range().Start.Line)
			el, err := c.expr(x, p)
			if err != nil {
				return nil, err
			}
			list = append(list, el)
		}
		return list, nil
	case *hclsyntax.ObjectConsExpr:
		m := make(map[string]any, len(v.Items))
		for _, item := range v.Items {
			k, err := c.key(item.KeyExpr)
			if err != nil {
				return nil, err
			}
			p := input.Child(path, k)
			c.lines.Set(p, item.KeyExpr.Range().Start.Line)
			if m[k], err = c.expr(item.ValueExpr, p); err != nil {
				return nil, err
			}
		}
		return m, nil
	}
	return c.wrap(e), nil
}

func ctyValue(v cty.Value) (any, error) {
	switch {
	case v.IsNull():
		return nil, nil
	case !v.IsKnown():
		return nil, nil
	case v.Type() == cty.String:
		return v.AsString(), nil
	case v.Type() == cty.Bool:
		return v.True(), nil
	case v.Type() == cty.Number:
		return json.Number(v.AsBigFloat().Text('f', -1)), nil
	}
	return nil, fmt.Errorf("unsupported literal of type %s", v.Type().FriendlyName())
}

// source is the text of r; hcl2json includes a closing parenthesis right
// after the range, and policies written against it see that text.
func (c *hclConv) source(r hcl.Range) string {
	end := r.End.Byte
	if end < len(c.src) && c.src[end] == ')' {
		end++
	}
	return string(c.src[r.Start.Byte:end])
}

func (c *hclConv) wrap(e hclsyntax.Expression) string {
	return "${" + c.source(e.Range()) + "}"
}

// escape keeps literal "${" and "%{" from reading as interpolation.
func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "${", "$${"), "%{", "%%{")
}

func (c *hclConv) template(t *hclsyntax.TemplateExpr) (string, error) {
	if t.IsStringLiteral() {
		v, diags := t.Value(nil)
		if diags.HasErrors() {
			return "", c.fail(t.Range(), "%s", diags.Error())
		}
		return escape(v.AsString()), nil
	}
	var b strings.Builder
	for _, part := range t.Parts {
		s, err := c.part(part)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func (c *hclConv) part(e hclsyntax.Expression) (string, error) {
	switch v := e.(type) {
	case *hclsyntax.LiteralValueExpr:
		if v.Val.IsNull() {
			return "null", nil
		}
		s, err := ctyconvert.Convert(v.Val, cty.String)
		if err != nil {
			return "", c.fail(v.Range(), "%v", err)
		}
		return escape(s.AsString()), nil
	case *hclsyntax.TemplateExpr:
		return c.template(v)
	case *hclsyntax.TemplateWrapExpr:
		return c.part(v.Wrapped)
	case *hclsyntax.ConditionalExpr:
		t, err := c.part(v.TrueResult)
		if err != nil {
			return "", nil
		}
		f, _ := c.part(v.FalseResult)
		s := "%{if " + c.source(v.Condition.Range()) + "}" + t
		if f != "" {
			s += "%{else}" + f
		}
		return s + "%{endif}", nil
	case *hclsyntax.TemplateJoinExpr:
		fe, ok := v.Tuple.(*hclsyntax.ForExpr)
		if !ok {
			return c.wrap(v), nil
		}
		s := "%{for "
		if fe.KeyVar != "" {
			s += fe.KeyVar + ", "
		}
		s += fe.ValVar + " in " + c.source(fe.CollExpr.Range()) + "}"
		body, err := c.part(fe.ValExpr)
		if err != nil {
			return "", err
		}
		return s + body + "%{endfor}", nil
	}
	return c.wrap(e), nil
}

func (c *hclConv) key(e hclsyntax.Expression) (string, error) {
	if k, ok := e.(*hclsyntax.ObjectConsKeyExpr); ok {
		e = k.Wrapped
		if _, trav := e.(*hclsyntax.ScopeTraversalExpr); trav {
			return c.source(e.Range()), nil
		}
	}
	return c.part(e)
}

package terraform

import (
	"bytes"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// terraform fmt is hclwrite's formatter plus rewrites of its own: an
// attribute whose whole value is one interpolation ("${var.x}") loses the
// quotes and braces, and the type of a variable block at the top level in
// a legacy form ("string", "list", "map"; bare list, map, set) becomes a
// type expression (terraform's own fmt command: formatTypeExpr, only for
// the type of a top-level variable block).

// formattedForSure reports whether terraform fmt would leave text exactly
// as it is, without running it: hclwrite leaves it unchanged and it holds
// nothing terraform fmt rewrites beyond that. When unsure (a value that
// is one interpolation, a variable type in a legacy form), it says false
// and terraform fmt decides: a directory whose files are all formatted
// for sure needs no terraform process (tested against terraform fmt).
func formattedForSure(text []byte) bool { return formattedForSureParsed(text, nil) }

// formattedForSureParsed is formattedForSure with the file's parse, when
// the caller has one (nil: parsed here).
func formattedForSureParsed(text []byte, f *hcl.File) bool {
	if !bytes.Equal(hclwrite.Format(text), text) {
		return false
	}
	// hclwrite's parse only for a file that may hold either rewrite.
	variables, interpolations := bytes.Contains(text, []byte("variable")), bytes.Contains(text, []byte(`"${`))
	if variables || interpolations {
		w, diags := hclwrite.ParseConfig(text, "f.tf", hcl.InitialPos)
		if diags.HasErrors() || variables && legacyType(w.Body()) || interpolations && unwrappable(w.Body()) {
			return false
		}
	}
	return !labelsRewritten(text, f)
}

// formatInProcess is what terraform fmt writes for text through its
// stdin, without running it, when text holds nothing terraform fmt
// rewrites beyond hclwrite's format (no legacy variable type, no value
// that is one interpolation, its labels as terraform writes them): then
// terraform writes hclwrite's format of it, ended with a newline as fmt -
// ends it. ok false: ask terraform. Tested against terraform fmt -.
// formatted is hclwrite's format of text when the caller has it (nil:
// formatted here).
func formatInProcess(text, formatted []byte, f *hcl.File) (out []byte, ok bool) {
	w, diags := hclwrite.ParseConfig(text, "f.tf", hcl.InitialPos)
	if diags.HasErrors() || legacyType(w.Body()) || unwrappable(w.Body()) || labelsRewritten(text, f) {
		return nil, false
	}
	out = formatted
	if out == nil {
		out = hclwrite.Format(text)
	}
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return out, true
}

// legacyType reports whether a top-level variable block's type is in a
// form terraform fmt rewrites: one keyword list, map or set, or one of the
// quoted strings "string", "list", "map" (a pre-0.12 type).
func legacyType(body *hclwrite.Body) bool {
	for _, b := range body.Blocks() {
		if b.Type() != "variable" {
			continue
		}
		a := b.Body().GetAttribute("type")
		if a == nil {
			continue
		}
		switch t := a.Expr().BuildTokens(nil); len(t) {
		case 1:
			if t[0].Type == hclsyntax.TokenIdent {
				switch string(t[0].Bytes) {
				case "list", "map", "set":
					return true
				}
			}
		case 3:
			if t[0].Type == hclsyntax.TokenOQuote && t[1].Type == hclsyntax.TokenQuotedLit && t[2].Type == hclsyntax.TokenCQuote {
				switch string(t[1].Bytes) {
				case "string", "list", "map":
					return true
				}
			}
		}
	}
	return false
}

// unwrappable reports whether an attribute's whole value is one
// interpolation ("${var.x}"), which terraform fmt unwraps to var.x: its
// tokens are a quote, ${, the inside, }, a quote, with no literal text and
// no other ${ } at the outer quote's level, as terraform fmt decides it.
func unwrappable(body *hclwrite.Body) bool {
	for _, a := range body.Attributes() {
		if unwrappableTokens(a.Expr().BuildTokens(nil)) {
			return true
		}
	}
	for _, blk := range body.Blocks() {
		if unwrappable(blk.Body()) {
			return true
		}
	}
	return false
}

func unwrappableTokens(tokens hclwrite.Tokens) bool {
	if len(tokens) < 5 || tokens[0].Type != hclsyntax.TokenOQuote || tokens[1].Type != hclsyntax.TokenTemplateInterp ||
		tokens[len(tokens)-2].Type != hclsyntax.TokenTemplateSeqEnd || tokens[len(tokens)-1].Type != hclsyntax.TokenCQuote {
		return false
	}
	quotes := 0
	for _, tok := range tokens[2 : len(tokens)-2] {
		switch {
		case tok.Type == hclsyntax.TokenOQuote:
			quotes++
		case tok.Type == hclsyntax.TokenCQuote:
			quotes--
		case quotes > 0:
			// ${ } inside a nested string is the nested expression's.
		case tok.Type == hclsyntax.TokenTemplateInterp, tok.Type == hclsyntax.TokenTemplateSeqEnd, tok.Type == hclsyntax.TokenQuotedLit:
			return false
		}
	}
	return true
}

// labelsRewritten reports whether terraform fmt would write a block's
// labels differently and hclwrite does not: a bare label (resource
// terraform_data b {}, provisioner local-exec {}), which it quotes; a
// comment between them, which it drops; an escape in one, which it may
// write otherwise. A file that does not parse counts (terraform fmt
// decides).
func labelsRewritten(text []byte, f *hcl.File) bool {
	if f == nil {
		var diags hcl.Diagnostics
		if f, diags = hclsyntax.ParseConfig(text, "f.tf", hcl.InitialPos); diags.HasErrors() {
			return true
		}
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return true
	}
	var walk func(b *hclsyntax.Body) bool
	walk = func(b *hclsyntax.Body) bool {
		for _, blk := range b.Blocks {
			// terraform fmt writes the labels again (SetLabels of
			// Labels): what is not a plain quoted label, or lies between
			// them (a comment), changes.
			at := blk.TypeRange.End.Byte
			for _, r := range append(slices.Clone(blk.LabelRanges), blk.OpenBraceRange) {
				if r.Start.Byte < at || r.End.Byte > len(text) || strings.Trim(string(text[at:r.Start.Byte]), " \t") != "" {
					return true
				}
				at = r.End.Byte
				if r == blk.OpenBraceRange {
					break
				}
				label := text[r.Start.Byte:r.End.Byte]
				if len(label) < 2 || label[0] != '"' || bytes.ContainsAny(label, "\\") || bytes.Contains(label, []byte("$$")) || bytes.Contains(label, []byte("%%")) {
					return true
				}
			}
			if walk(blk.Body) {
				return true
			}
		}
		return false
	}
	return walk(body)
}

package terraform

import (
	"bytes"
	"regexp"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// terraform fmt is hclwrite's formatter plus rewrites of its own: an
// attribute whose whole value is one interpolation ("${var.x}") loses the
// quotes and braces, and a variable's legacy type ("string", list, map)
// becomes a type expression. legacyType finds the second; "${ the first.
var legacyType = regexp.MustCompile(`(?m)^[ \t]*type[ \t]*=[ \t]*("|(list|map)[ \t]*(#.*|//.*)?$)`)

// formattedForSure reports whether terraform fmt would leave text exactly
// as it is, without running it: hclwrite leaves it unchanged and it holds
// nothing terraform fmt rewrites beyond that. When unsure (a value that
// is one interpolation, a type attribute that may be legacy), it says false and
// terraform fmt decides: a directory whose files are all formatted for
// sure needs no terraform process (tested against terraform fmt).
func formattedForSure(text []byte) bool { return formattedForSureParsed(text, nil) }

// formattedForSureParsed is formattedForSure with the file's parse, when
// the caller has one (nil: parsed here).
func formattedForSureParsed(text []byte, f *hcl.File) bool {
	if legacyType.Match(text) {
		return false
	}
	if !bytes.Equal(hclwrite.Format(text), text) {
		return false
	}
	if bytes.Contains(text, []byte(`"${`)) && unwrappable(text) {
		return false
	}
	return !unquotedLabel(text, f)
}

// unwrappable reports whether an attribute's whole value is one
// interpolation ("${var.x}"), which terraform fmt unwraps to var.x: its
// tokens are a quote, ${, the inside, }, a quote, with no literal text and
// no other ${ } at the outer quote's level, as terraform fmt decides it.
// A file hclwrite cannot parse counts as having one.
func unwrappable(text []byte) bool {
	f, diags := hclwrite.ParseConfig(text, "f.tf", hcl.InitialPos)
	if diags.HasErrors() {
		return true
	}
	var walk func(b *hclwrite.Body) bool
	walk = func(b *hclwrite.Body) bool {
		for _, a := range b.Attributes() {
			if unwrappableTokens(a.Expr().BuildTokens(nil)) {
				return true
			}
		}
		for _, blk := range b.Blocks() {
			if walk(blk.Body()) {
				return true
			}
		}
		return false
	}
	return walk(f.Body())
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

// unquotedLabel reports whether a block label is written bare
// (resource terraform_data b {}, provisioner local-exec {}), which
// terraform fmt quotes and hclwrite leaves; a file that does not parse
// counts as having one (terraform fmt decides).
func unquotedLabel(text []byte, f *hcl.File) bool {
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
			for _, r := range blk.LabelRanges {
				if r.Start.Byte >= len(text) || text[r.Start.Byte] != '"' {
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

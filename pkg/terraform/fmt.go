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
// nothing terraform fmt rewrites beyond that. When unsure (any "${ at
// all, any type attribute that may be legacy), it says false and
// terraform fmt decides: a directory whose files are all formatted for
// sure needs no terraform process (tested against terraform fmt).
func formattedForSure(text []byte) bool { return formattedForSureParsed(text, nil) }

// formattedForSureParsed is formattedForSure with the file's parse, when
// the caller has one (nil: parsed here).
func formattedForSureParsed(text []byte, f *hcl.File) bool {
	if bytes.Contains(text, []byte(`"${`)) || legacyType.Match(text) {
		return false
	}
	if !bytes.Equal(hclwrite.Format(text), text) {
		return false
	}
	return !unquotedLabel(text, f)
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

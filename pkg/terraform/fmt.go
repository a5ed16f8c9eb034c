package terraform

import (
	"bytes"
	"regexp"

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
func formattedForSure(text []byte) bool {
	if bytes.Contains(text, []byte(`"${`)) || legacyType.Match(text) {
		return false
	}
	return bytes.Equal(hclwrite.Format(text), text)
}

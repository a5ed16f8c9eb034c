package terraform

import (
	"regexp"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Whether a name is a credential's is package secret's decision
// (secret.Name); whether a value can be one is decided here, by its shape
// and the variable's type.

// notSecretShape: a string value that cannot be a credential: an ARN, a
// path, an expression such as rate(15 days), a reference in ${...}.
var notSecretShape = regexp.MustCompile(`^(arn:|/|\./|\.\./|~/|\$\{)|\s`)

// secretValue reports whether a literal value can be a credential: a
// non-empty string of a credential's shape. Booleans and numbers never are.
func secretValue(v cty.Value) bool {
	if v.IsNull() || v.Type() != cty.String {
		return false
	}
	s := v.AsString()
	return s != "" && !notSecretShape.MatchString(s)
}

// secretType reports whether a variable's declared type can hold a
// credential: no type, a string, or a collection of them (a map of
// passwords); bool and number cannot.
func secretType(typ hcl.Expression) bool {
	if typ == nil {
		return true
	}
	switch hcl.ExprAsKeyword(typ) {
	case "bool", "number":
		return false
	}
	return true
}

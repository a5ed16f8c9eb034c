package flux

import (
	"github.com/plumbline/plumbline/pkg/input"
	"regexp"
	"strings"
)

// Vars are a substitution's variables: Known values, Hidden names whose
// value is not readable here (a SOPS-encrypted Secret), and Open when a
// source of variables was not found in the repository, so that any
// variable not known may be defined there.
type Vars struct {
	Known  map[string]string
	Hidden map[string]bool
	Open   bool
}

// varName is what Flux takes as a variable's name.
var varName = regexp.MustCompile(`^[_a-zA-Z][_a-zA-Z0-9]*`)

// maxExpansion bounds a substituted string: a default or a value cannot
// make one value grow without end.
const maxExpansion = 1 << 20

// String substitutes s as Flux's envsubst does: ${var}, ${var:-default},
// ${var:=default} (the default when var is undefined or empty), ${var-d},
// ${var=d} (when undefined); $${ is a literal ${; $var without braces is
// left alone. An undefined variable is empty, unless vars is Open. ok is
// false when the result cannot be known here (a hidden or possibly
// defined variable, an expression beyond these forms); changed says
// whether s held anything to substitute.
func (v *Vars) String(s string) (out string, ok, changed bool) {
	if !strings.Contains(s, "${") {
		return s, true, false
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		if i > 0 && s[i-1] == '$' {
			// $${x}: the escape, a literal ${x}.
			b.WriteString(s[:i-1])
			b.WriteString("${")
			s = s[i+2:]
			changed = true
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			b.WriteString(s)
			break
		}
		changed = true
		b.WriteString(s[:i])
		val, known := v.expr(s[i+2 : i+end])
		if !known {
			return "", false, true
		}
		b.WriteString(val)
		if b.Len() > maxExpansion {
			return "", false, true
		}
		s = s[i+end+1:]
	}
	return b.String(), true, changed
}

// expr is one ${...}'s value.
func (v *Vars) expr(e string) (string, bool) {
	name := varName.FindString(e)
	if name == "" {
		return "", false
	}
	rest := e[len(name):]
	val, defined := v.Known[name]
	if v.Hidden[name] {
		return "", false
	}
	switch {
	case rest == "":
		if !defined && v.Open {
			return "", false
		}
		return val, true
	case strings.HasPrefix(rest, ":-"), strings.HasPrefix(rest, ":="):
		if !defined && v.Open {
			return "", false
		}
		if val == "" {
			return rest[2:], true
		}
		return val, true
	case strings.HasPrefix(rest, "-"), strings.HasPrefix(rest, "="):
		if !defined && v.Open {
			return "", false
		}
		if !defined {
			return rest[1:], true
		}
		return val, true
	}
	return "", false // a function of envsubst's not read here: ${#x}, ${x^^}, ${x/a/b}
}

// Value substitutes every string in v (a decoded YAML document), as Flux
// does in the object's YAML before it is applied: a string that was only
// a variable becomes what its value reads as in YAML (3 is a number,
// true a boolean). A string that cannot be known becomes unknown. It
// returns v itself when nothing changed.
func (v *Vars) Value(x any, unknown any) (any, bool) {
	switch x := x.(type) {
	case string:
		out, ok, changed := v.String(x)
		if !changed {
			return x, false
		}
		if !ok {
			return unknown, true
		}
		return scalar(out), true
	case map[string]any:
		var m map[string]any
		for k, e := range x {
			if nv, changed := v.Value(e, unknown); changed {
				if m == nil {
					m = make(map[string]any, len(x))
					for k2, e2 := range x {
						m[k2] = e2
					}
				}
				m[k] = nv
			}
		}
		if m == nil {
			return x, false
		}
		return m, true
	case []any:
		var l []any
		for i, e := range x {
			if nv, changed := v.Value(e, unknown); changed {
				if l == nil {
					l = append([]any(nil), x...)
				}
				l[i] = nv
			}
		}
		if l == nil {
			return x, false
		}
		return l, true
	}
	return x, false
}

// scalar is what the text reads as, written plain in YAML (1.1, as
// kubectl and the controller read it): a number, a boolean, null, else
// the text.
func scalar(s string) any {
	if strings.ContainsAny(s, "\n:#{}[],&*!|>'\"%@`") {
		return s
	}
	return input.PlainScalar(s)
}

// Package glob matches slash paths against the globs people write in flags
// and waiver files: path.Match's syntax (* and ? within one segment, [...]
// classes, \ escapes) plus ** spanning directories. A glob compiles to one
// regular expression, so matching is linear in the path whatever the
// pattern: a waiver file a pull request wrote with ten ** cannot stall the
// check (a recursive matcher took minutes).
package glob

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Glob is a compiled pattern.
type Glob struct{ re *regexp.Regexp }

// Compile compiles pattern. With below, the glob also matches everything
// below a path it matches ("modules" matches "modules/vm/main.tf").
func Compile(pattern string, below bool) (*Glob, error) {
	bad := func(why string) error { return fmt.Errorf("glob %q: %s", pattern, why) }
	if !utf8.ValidString(pattern) {
		return nil, bad("not UTF-8")
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); {
		r, n := utf8.DecodeRuneInString(pattern[i:])
		switch r {
		case '*':
			j := i
			for j < len(pattern) && pattern[j] == '*' {
				j++
			}
			switch {
			case j-i == 1:
				b.WriteString("[^/]*")
			case j < len(pattern) && pattern[j] == '/':
				j++
				b.WriteString("(?:.*/)?")
			default:
				b.WriteString(".*")
			}
			i = j
			continue
		case '?':
			b.WriteString("[^/]")
		case '\\':
			if i+1 == len(pattern) {
				return nil, bad("trailing \\")
			}
			e, m := utf8.DecodeRuneInString(pattern[i+1:])
			b.WriteString(regexp.QuoteMeta(string(e)))
			n += m
		case '[':
			class, m, err := classRegexp(pattern[i+1:])
			if err != nil {
				return nil, bad(err.Error())
			}
			b.WriteString(class)
			n += m
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
		i += n
	}
	if below {
		b.WriteString("(?:/.*)?")
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, bad(err.Error())
	}
	return &Glob{re: re}, nil
}

// classRegexp translates the [...] class that s starts just inside of, as
// path.Match reads it (^ negates; \\ escapes; a-z ranges; never empty),
// and returns how many bytes of s it used, the closing ] included.
func classRegexp(s string) (string, int, error) {
	var b strings.Builder
	b.WriteString("[")
	i := 0
	if strings.HasPrefix(s, "^") {
		b.WriteString("^")
		i++
	}
	esc := func() (rune, error) {
		if i == len(s) {
			return 0, errors.New("unclosed [")
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '-', ']':
			return 0, errors.New("bad range in []")
		case '\\':
			i += n
			if i == len(s) {
				return 0, errors.New("unclosed [")
			}
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		i += n
		return r, nil
	}
	for ranges := 0; ; ranges++ {
		if i < len(s) && s[i] == ']' && ranges > 0 {
			b.WriteString("]")
			return b.String(), i + 1, nil
		}
		lo, err := esc()
		if err != nil {
			return "", 0, err
		}
		hi := lo
		if i < len(s) && s[i] == '-' {
			i++
			if hi, err = esc(); err != nil {
				return "", 0, err
			}
		}
		if hi < lo {
			return "", 0, errors.New("bad range in []")
		}
		fmt.Fprintf(&b, `\x{%x}-\x{%x}`, lo, hi)
	}
}

// Match reports whether the slash path name matches. Names that are not
// UTF-8 match as if each bad byte were U+FFFD (what reports hold anyway).
func (g *Glob) Match(name string) bool { return g.re.MatchString(name) }

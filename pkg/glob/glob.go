// Package glob matches slash paths against the globs people write in flags
// and waiver files: path.Match's syntax (* and ? within one segment, [...]
// classes, \ escapes) plus ** spanning directories. A glob compiles to one
// regular expression, so matching is linear in the path whatever the
// pattern: a waiver file a pull request wrote with ten ** cannot stall the
// check (a recursive matcher took minutes).
package glob

import (
	"fmt"
	"regexp"
	"strings"
)

// Glob is a compiled pattern.
type Glob struct{ re *regexp.Regexp }

// Compile compiles pattern. With below, the glob also matches everything
// below a path it matches ("modules" matches "modules/vm/main.tf").
func Compile(pattern string, below bool) (*Glob, error) {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*':
			if i+1 < len(pattern) && pattern[i+1] == '*' {
				for i+1 < len(pattern) && pattern[i+1] == '*' {
					i++
				}
				if i+1 < len(pattern) && pattern[i+1] == '/' {
					i++
					b.WriteString("(?:.*/)?")
				} else {
					b.WriteString(".*")
				}
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '\\':
			if i+1 == len(pattern) {
				return nil, fmt.Errorf("glob %q: trailing \\", pattern)
			}
			i++
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		case '[':
			end := strings.IndexByte(pattern[i+1:], ']')
			if end < 0 {
				return nil, fmt.Errorf("glob %q: unclosed [", pattern)
			}
			class := pattern[i+1 : i+1+end]
			if end == 0 || class == "^" || class == "!" {
				return nil, fmt.Errorf("glob %q: empty [] class", pattern)
			}
			b.WriteString("[")
			if class[0] == '^' || class[0] == '!' {
				b.WriteString("^/")
				class = class[1:]
			}
			for _, r := range class {
				switch r {
				case '\\', '[', ']', '^':
					b.WriteString(`\`)
				}
				b.WriteRune(r)
			}
			b.WriteString("]")
			i += end + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if below {
		b.WriteString("(?:/.*)?")
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("glob %q: %w", pattern, err)
	}
	return &Glob{re: re}, nil
}

// Match reports whether the slash path name matches.
func (g *Glob) Match(name string) bool { return g.re.MatchString(name) }

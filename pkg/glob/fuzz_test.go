package glob

import (
	"path"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzGlob checks Compile against path.Match, the reference for every
// pattern without **, and that no pattern panics or stalls.
func FuzzGlob(f *testing.F) {
	for _, seed := range [][2]string{
		{"*.tf", "main.tf"}, {"a/?/c", "a/b/c"}, {"[a-c]x", "bx"}, {"[!a]x", "ax"},
		{`\*`, "*"}, {"**/x", "a/b/x"}, {"a*b*c", "aXbYc"}, {"[^/]", "/"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		g, err := Compile(pattern, false)
		if strings.Contains(pattern, "**") {
			if err == nil {
				g.Match(name)
			}
			return
		}
		if !utf8.ValidString(name) {
			return // byte-wise in path.Match, rune-wise here; reports are UTF-8
		}
		want, werr := path.Match(pattern, name)
		if werr != nil || err != nil {
			return // path.Match reports some errors only when it reaches them
		}
		if got := g.Match(name); got != want {
			t.Errorf("Compile(%q).Match(%q) = %v, path.Match says %v", pattern, name, got, want)
		}
	})
}

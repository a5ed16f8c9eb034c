package ansiblelint

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzRequirements: any requirements.yml is read without a panic, and every
// problem and entry points at a line of the input.
func FuzzRequirements(f *testing.F) {
	for _, seed := range []string{
		"collections:\n  - community.general\n  - name: ansible.posix\n    version: 1.5.0\nroles:\n  - src: https://x/y.git\n",
		"- geerlingguy.docker\n", "collections: 3\n", "roles:\n  - {}\n", "[", "collections:\n  - [a]\n", "!!binary x\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		// YAML counts \r, \n, \r\n and (1.1) NEL, LS and PS as line breaks.
		norm := strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n").Replace(in)
		lines := strings.Count(norm, "\n") + 1
		check := func(line int) {
			if line < 0 || line > lines {
				t.Fatalf("line %d of a %d-line input", line, lines)
			}
		}
		cs, rs := parseRequirements([]byte(in), func(line int, _ string) { check(line) })
		for _, r := range append(cs, rs...) {
			check(r.line)
		}
	})
}

// expandsPast at its edge, with shared anchors counted each time they are
// used, as ansible-lint expands them.
func TestExpandsPast(t *testing.T) {
	doc := func(s string) *yaml.Node {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(s), &n); err != nil {
			t.Fatal(err)
		}
		return &n
	}
	// document, mapping, key a, sequence a + 3 scalars, key b, sequence b
	// + 3 aliases each expanding to 4: 1+1+1+4+1+1+3*(1+4) = 24 nodes.
	n := doc("a: &a [x, y, z]\nb: [*a, *a, *a]\n")
	if _, over := expandsPast(n, 24); over {
		t.Error("24 nodes refused with a budget of 24")
	}
	if line, over := expandsPast(n, 23); !over || line == 0 {
		t.Errorf("24 nodes with a budget of 23: over %v at line %d", over, line)
	}
}

// FuzzProblemAt: the second parser that locates YAML errors never crashes
// the check, never hangs, and gives a position inside the text.
func FuzzProblemAt(f *testing.F) {
	for _, seed := range []string{"a: [1, 2\nc: 3\n", "- name: x\n  tasks: [\n", "a: &a [*a]\n", "k: |\n  x\n y\n", "\t- a\n"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		line, col := problemAt([]byte(text))
		if line < 0 || col < 0 || line > strings.Count(text, "\n")+strings.Count(text, "\r")+2 { // YAML also breaks lines at a lone \r
			t.Errorf("position %d:%d outside %q", line, col, text)
		}
	})
}

package nesting

import (
	"strings"
	"testing"
)

func TestDeeper(t *testing.T) {
	for _, tt := range []struct {
		text string
		line int
		deep bool
	}{
		{"a = { b = [1, (2)] }\n", 0, false},
		{"x\n" + strings.Repeat("[", 5), 2, true},
		{strings.Repeat("{}", 100), 0, false},
		{"))))" + strings.Repeat("(", 4), 0, false},
		{"x = !!!!true\n", 0, false},
		{"x = !!!!!true\n", 1, true},
		{"x = [(- - - !y)]\n", 1, true},
		{"x = 1 - 2 - 3 - 4 - 5 - 6\n", 0, false},
		{"# -----------\n// -----------\nx = 1\n", 0, false},
		{"x = !\n!\n!\n!\n!y\n", 5, true},
	} {
		line, _, deep := Deeper([]byte(tt.text), 4)
		if line != tt.line || deep != tt.deep {
			t.Errorf("%q: line %d deep %v, want %d %v", tt.text, line, deep, tt.line, tt.deep)
		}
	}
}

func TestDeeperAtTheEdge(t *testing.T) {
	if _, _, deep := Deeper([]byte(strings.Repeat("[", 256)), 256); deep {
		t.Error("256 levels refused with a limit of 256")
	}
	if line, what, deep := Deeper([]byte("\n"+strings.Repeat("[", 257)), 256); !deep || line != 2 || what != Brackets {
		t.Errorf("257 levels: line %d deep %v", line, deep)
	}
}

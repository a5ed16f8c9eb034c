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
	} {
		line, deep := Deeper([]byte(tt.text), 4)
		if line != tt.line || deep != tt.deep {
			t.Errorf("%q: line %d deep %v, want %d %v", tt.text, line, deep, tt.line, tt.deep)
		}
	}
}

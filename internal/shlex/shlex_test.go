package shlex

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{`web1 ansible_host=10.0.0.5`, []string{"web1", "ansible_host=10.0.0.5"}},
		{`a "b c" 'd\e' f\ g`, []string{"a", "b c", `d\e`, "f g"}},
		{"a # comment\nb", []string{"a", "b"}},
		{"x\\\n  --flag\n", []string{"x\n", "--flag"}},
		{"tkn start \t-p a=b\r\n  --showlog\n", []string{"tkn", "start", "-p", "a=b", "--showlog"}},
		{`x#y`, []string{"x#y"}},
	}
	for _, tt := range tests {
		got, err := Split(tt.line)
		if err != nil {
			t.Fatalf("%q: %v", tt.line, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.line, diff)
		}
	}
	if _, err := Split(`a "b`); err == nil {
		t.Error("unterminated quote: no error")
	}
}

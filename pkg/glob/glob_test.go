package glob

import (
	"strings"
	"testing"
	"time"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		glob, name string
		below      bool
		want       bool
	}{
		{"*.tf", "main.tf", false, true},
		{"*.tf", "mod/main.tf", false, false},
		{"**/*.tf", "main.tf", false, true},
		{"**/*.tf", "a/b/main.tf", false, true},
		{"modules/**", "modules/vm/main.tf", false, true},
		{"modules/**/x.tf", "modules/x.tf", false, true},
		{"modules/**/x.tf", "modules/a/b/x.tf", false, true},
		{"mod*/**/x.tf", "modules/a/x.tf", false, true},
		{"k8s/?.yaml", "k8s/a.yaml", false, true},
		{"k8s/?.yaml", "k8s/ab.yaml", false, false},
		{"[ab].tf", "a.tf", false, true},
		{"[^ab].tf", "c.tf", false, true},
		{"[^ab].tf", "a.tf", false, false},
		{"[!ab].tf", "!.tf", false, true}, // as path.Match: ! is no negation
		{`\*.tf`, "*.tf", false, true},
		{`\*.tf`, "a.tf", false, false},
		{"modules", "modules/vm/main.tf", true, true},
		{"modules", "modules2/main.tf", true, false},
		{"envs/*", "envs/prod/main.tf", true, true},
	}
	for _, tt := range tests {
		g, err := Compile(tt.glob, tt.below)
		if err != nil {
			t.Fatal(err)
		}
		if got := g.Match(tt.name); got != tt.want {
			t.Errorf("%q ~ %q (below %v) = %v, want %v", tt.glob, tt.name, tt.below, got, tt.want)
		}
	}
	for _, bad := range []string{"[", "a[]", `x\`, "[z-a]", "[a"} {
		if _, err := Compile(bad, false); err == nil {
			t.Errorf("%q compiled", bad)
		}
	}
}

// Ten ** against a long path that almost matches: a recursive matcher is
// exponential here; this one answers at once.
func TestNoBlowUp(t *testing.T) {
	g, err := Compile(strings.Repeat("**/a", 10)+"/nomatch", false)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("a/", 200) + "b"
	start := time.Now()
	if g.Match(name) {
		t.Error("matched")
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %s", took)
	}
}

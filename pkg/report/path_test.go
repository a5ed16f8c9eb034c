package report

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRelPath: the short cut for relative paths gives what resolving them
// against the working directory gives.
func TestRelPath(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Base(cwd)
	for _, tc := range []struct {
		p    string
		want string
		ok   bool
	}{
		{"a/b.yaml", "a/b.yaml", true},
		{"./a//b/../c.yaml", "a/c.yaml", true},
		{".", ".", true},
		{"../x.yaml", "../x.yaml", false},
		{"../" + base + "/x.yaml", "x.yaml", true}, // climbs out and back in
		{filepath.Join(cwd, "d", "e.tf"), "d/e.tf", true},
		{cwd, ".", true},
		{"/elsewhere/f.yaml", "/elsewhere/f.yaml", false},
	} {
		rel, ok := RelPath(tc.p)
		if rel != tc.want || ok != tc.ok {
			t.Errorf("RelPath(%q) = %q, %v; want %q, %v", tc.p, rel, ok, tc.want, tc.ok)
		}
		if rel2, ok2 := RelTo(cwd, tc.p); rel2 != rel || ok2 != ok {
			t.Errorf("RelTo(cwd, %q) = %q, %v; RelPath says %q, %v", tc.p, rel2, ok2, rel, ok)
		}
	}
}

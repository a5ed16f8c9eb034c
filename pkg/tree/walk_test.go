package tree

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// walkDir is the reference: what each caller's own filepath.WalkDir loop
// saw before the walk was shared.
func walkDir(t *testing.T, p string) []Entry {
	t.Helper()
	var out []Entry
	err := filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && q != p && Skip(d.Name()) {
			return filepath.SkipDir
		}
		out = append(out, Entry{Path: q, Type: d.Type()})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWalkAsWalkDir: however a path is spelled and in whatever order the
// paths are asked for, a shared walk lists what filepath.WalkDir lists
// under it, and reads each directory once: a path inside one already
// walked is not walked again; a path under a directory the walk passed
// over (.terraform), a file, or a symlink is walked as asked.
func TestWalkAsWalkDir(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a/x.yaml", "a/b/y.yaml", "a/b/with space.tf", "c/z.json", ".terraform/m/k.tf", "a/.git/HEAD", "top.txt", ".plumbline/r.json"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("a", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	abs, _ := filepath.Abs("a/b")
	orders := [][]string{
		{".", "a", "./a/b", abs, "c/z.json", ".terraform", ".terraform/m", "link", "top.txt", "a/.git"},
		{"a/b", "a", ".", "./c", ".plumbline", "link"},
	}
	for _, paths := range orders {
		w := NewWalk()
		for _, p := range paths {
			got, err := w.Entries(p)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if diff := cmp.Diff(walkDir(t, p), got); diff != "" {
				t.Errorf("Entries(%q) after %v (-WalkDir +walk):\n%s", p, paths, diff)
			}
		}
	}
	// Asked for the root first, the walk reads only that: the rest are
	// served from it.
	w := NewWalk()
	for _, p := range []string{".", "a", "./a/b", abs, "c"} {
		if _, err := w.Entries(p); err != nil {
			t.Fatal(err)
		}
	}
	if len(w.walks) != 1 {
		t.Errorf("%d walks for paths inside the first, want 1", len(w.walks))
	}
	ignore := regexp.MustCompile(`\.json$`)
	files, err := w.Files(".", ignore)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a/b/with space.tf", "a/b/y.yaml", "a/x.yaml", "top.txt"}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("Files (-want +got):\n%s", diff)
	}
	if _, err := w.Entries("no/such"); err == nil {
		t.Error("a path that is not there: no error")
	}
}

// TestWalkBounded: a tree past the walk's budget is an error naming the
// path as asked (never an absolute one) and the budget, for that path and
// any inside it; nothing grows past it.
func TestWalkBounded(t *testing.T) {
	defer func(n int) { maxEntries = n }(maxEntries)
	maxEntries = 10
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := os.WriteFile(filepath.Join(dir, "sub", fmt.Sprintf("f%02d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	w := NewWalk()
	for _, p := range []string{".", "sub"} {
		_, err := w.Entries(p)
		if err == nil || !strings.Contains(err.Error(), "more than 10 files and directories") || strings.Contains(err.Error(), dir) {
			t.Errorf("Entries(%q): %v", p, err)
		}
	}
	if n := len(w.walks[dir].entries); n > 10 {
		t.Errorf("%d entries kept past the budget of 10", n)
	}
}

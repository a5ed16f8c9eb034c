package change_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/plumbline/plumbline/internal/testfs"
	"github.com/plumbline/plumbline/pkg/change"
	"github.com/plumbline/plumbline/pkg/report"
)

func TestParse(t *testing.T) {
	diff := `diff --git a/a.tf b/a.tf
index 1..2 100644
--- a/a.tf
+++ b/a.tf
@@ -3 +3,2 @@ x
-old
+++ an added line that looks like a header
+new
@@ -10,2 +11,0 @@
-gone
-gone
diff --git a/new.yaml b/new.yaml
new file mode 100644
--- /dev/null
+++ b/new.yaml
@@ -0,0 +1 @@
+kind: x
diff --git a/gone.tf b/gone.tf
deleted file mode 100644
--- a/gone.tf
+++ /dev/null
@@ -1 +0,0 @@
-x
diff --git "a/dir/with\ttab \"q\"\303\251.tf" "b/dir/with\ttab \"q\"\303\251.tf"
--- "a/dir/with\ttab \"q\"\303\251.tf"
+++ "b/dir/with\ttab \"q\"\303\251.tf"
@@ -1 +1 @@
-a
\ No newline at end of file
+b
\ No newline at end of file
diff --git a/logo.png b/logo.png
Binary files a/logo.png and b/logo.png differ
`
	s, err := change.Parse(strings.NewReader(diff))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a.tf", "dir/with\ttab \"q\"é.tf", "logo.png", "new.yaml"}, s.Files()); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		file string
		line int
		want bool
	}{
		{"a.tf", 2, false}, {"a.tf", 3, true}, {"a.tf", 4, true}, {"a.tf", 5, false},
		{"a.tf", 11, false}, // a deletion writes no line
		{"a.tf", 0, true},   // the file as a whole changed
		{"new.yaml", 40, true}, {"logo.png", 1, true},
		{"dir/with\ttab \"q\"é.tf", 1, true},
		{"gone.tf", 1, false}, {"other.tf", 1, false}, {"other.tf", 0, false},
	} {
		if got := s.Touched(c.file, c.line); got != c.want {
			t.Errorf("Touched(%q, %d) = %v, want %v", c.file, c.line, got, c.want)
		}
	}
	fs := []report.Finding{{File: "a.tf", Line: 3}, {File: "a.tf", Line: 9}, {File: ""}, {File: "other.tf"}}
	s.Mark(fs)
	var got []bool
	for _, f := range fs {
		got = append(got, f.Existing)
	}
	if diff := cmp.Diff([]bool{false, true, false, true}, got); diff != "" {
		t.Errorf("Existing (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ name, diff, want string }{
		{"hunk first", "@@ -1 +1 @@\n", "line 1: hunk before a file name"},
		{"short hunk", "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+b\n", "line 5: diff ends inside a hunk"},
		{"bad header", "+++ b/x\n@@ -1 +x @@\n", `line 2: hunk header "@@ -1 +x @@": line number "x"`},
		{"huge count", "+++ b/x\n@@ -1 +1,999999999999 @@\n", `line count "999999999999"`},
		{"no prefix", "+++ x\n", `line 1: new file name "x" without the b/ prefix`},
		{"bad quote", "+++ \"b/x\n", "unterminated quote"},
		{"interleaved", "+++ b/x\n@@ -1 +1 @@\ndiff --git a/y b/y\n", "line 3: hunk ends early"},
		{"not a diff", "{\"tool\": \"a\"}\n", "not a unified diff"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := change.Parse(strings.NewReader(c.diff))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
	big := "+++ b/x\n@@ -0,0 +1,5000000 @@\n" + strings.Repeat("+aaaaaaaaaaaaaaa\n", 5000000)
	if _, err := change.Parse(strings.NewReader(big)); !errors.Is(err, change.ErrTooLarge) {
		t.Errorf("a diff over %d bytes: %v", change.MaxDiff, err)
	}
}

// Git against the real git: a commit, then edits, a new file left
// untracked, an ignored one, a rename without edits, a mode change, an
// empty file added.
func TestGit(t *testing.T) {
	dir := t.TempDir()
	git := func(args ...string) { t.Helper(); testfs.Git(t, dir, args...) }
	testfs.WriteAll(t, dir, map[string]string{
		"a.tf":             "one\ntwo\nthree\n",
		"moved.tf":         "x\ny\nz\n",
		"modules/old/x.tf": "gone\n",
		".gitignore":       "*.tfstate\n",
		"vault.sh":         "echo pw\n",
	})
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "base")
	testfs.WriteAll(t, dir, map[string]string{
		"a.tf":          "one\nTWO\nthree\nfour\n",
		"new file.yaml": "k: v\n",
		"x.tfstate":     "{}",
	})
	git("mv", "moved.tf", "renamed.tf")
	git("rm", "-q", "modules/old/x.tf")
	if err := os.Chmod(filepath.Join(dir, "vault.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	testfs.Write(t, dir, "roles/r/empty.yml", "")
	git("add", "-N", "roles/r/empty.yml")
	s, err := change.Git(context.Background(), dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	// What reads a deleted or renamed file is touched too.
	if diff := cmp.Diff([]string{"a.tf", "modules/old/x.tf", "moved.tf", "new file.yaml", "renamed.tf", "roles/r/empty.yml", "vault.sh"}, s.Paths()); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
	for dir, want := range map[string]bool{"modules/old": true, "modules": true, "modules/new": false, ".": true, "mod": false} {
		if got := s.Under(dir); got != want {
			t.Errorf("Under(%q) = %v, want %v", dir, got, want)
		}
	}
	if diff := cmp.Diff([]string{"a.tf", "new file.yaml"}, s.Files()); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		file string
		line int
		want bool
	}{{"a.tf", 1, false}, {"a.tf", 2, true}, {"a.tf", 4, true}, {"new file.yaml", 1, true}, {"renamed.tf", 2, false}, {"x.tfstate", 1, false}} {
		if got := s.Touched(c.file, c.line); got != c.want {
			t.Errorf("Touched(%q, %d) = %v, want %v", c.file, c.line, got, c.want)
		}
	}
	if _, err := change.Git(context.Background(), dir, "no-such-ref"); err == nil || !strings.Contains(err.Error(), "git diff: fatal: bad revision 'no-such-ref'") {
		t.Errorf("unknown ref: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("--- /dev/null\n+++ b/x\n@@ -0,0 +1,2 @@\n+a\n+b\n")
	f.Add("+++ \"b/\\303\\251\"\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n")
	f.Fuzz(func(t *testing.T, diff string) {
		s, err := change.Parse(strings.NewReader(diff))
		if err != nil {
			return
		}
		for _, file := range s.Files() {
			s.Touched(file, 1)
		}
		for _, p := range s.Paths() {
			if !s.Under(p) {
				t.Fatalf("%q is a path of the change, not under it", p)
			}
		}
	})
}

package change_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
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

// TestMergeBase against the real git: a branch counts from where it left
// main, however far main has moved on since; a history with nothing in
// common, a bad ref and an option-like one are errors that say so.
func TestMergeBase(t *testing.T) {
	dir := t.TempDir()
	git := func(args ...string) string { t.Helper(); return strings.TrimSpace(testfs.Git(t, dir, args...)) }
	testfs.Commit(t, dir, map[string]string{"main.tf": "one\n"})
	fork := git("rev-parse", "HEAD")
	git("checkout", "-qb", "feature")
	testfs.Write(t, dir, "feature.tf", "two\n")
	git("add", ".")
	git("commit", "-qm", "feature")
	git("checkout", "-q", "main")
	testfs.Write(t, dir, "main.tf", "ONE\n")
	git("commit", "-qam", "main moves on")
	mainTip := git("rev-parse", "HEAD")
	git("checkout", "-q", "feature")
	ctx := context.Background()
	for ref, want := range map[string]string{"main": fork, "HEAD": git("rev-parse", "HEAD"), fork: fork} {
		if got, err := change.MergeBase(ctx, dir, ref); err != nil || got != want {
			t.Errorf("MergeBase(%s) = %s, %v; want %s", ref, got, err, want)
		}
	}
	// Counted from the fork, the change is the branch's file alone; from
	// main's tip it would undo main's edit too.
	s, err := change.Git(ctx, dir, fork)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"feature.tf"}, s.Paths()); d != "" {
		t.Errorf("paths from the merge base (-want +got):\n%s", d)
	}
	if s, _ := change.Git(ctx, dir, mainTip); !slices.Contains(s.Paths(), "main.tf") {
		t.Errorf("from main's tip, main.tf should read as changed: %v", s.Paths())
	}

	git("checkout", "-q", "--orphan", "other")
	git("commit", "-qm", "unrelated")
	for ref, want := range map[string]string{
		"main":        "main and HEAD have no commit in common",
		"no-such-ref": "git merge-base: fatal: Not a valid object name no-such-ref",
		"--all":       `"--all": not a revision`,
	} {
		if _, err := change.MergeBase(ctx, dir, ref); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("MergeBase(%s): %v, want %q", ref, err, want)
		}
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

package leak

import (
	"context"
	"fmt"
	"github.com/plumbline/plumbline/pkg/tree"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
)

// TestScan: every format and structured form of testdata/scan.txtar is
// found at its line, nothing else is, and no finding quotes a value.
func TestScan(t *testing.T) {
	ar, err := txtar.ParseFile("testdata/scan.txtar")
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, f := range ar.Files {
		if f.Name == "want" {
			want = strings.Fields(strings.ReplaceAll(string(f.Data), " secret/", "|secret/"))
			continue
		}
		fs, err := File(context.Background(), f.Name, f.Data)
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range fs {
			got = append(got, fmt.Sprintf("%s:%d|%s", fd.File, fd.Line, fd.Rule))
			leaked(t, fd.Message+"\n"+fd.Snippet, string(f.Data))
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
}

// leaked fails when text holds a run of 8 or more characters of a
// credential-shaped word of the file (a value, not the key naming it).
func leaked(t *testing.T, text, file string) {
	t.Helper()
	for _, w := range regexp.MustCompile(`[A-Za-z0-9+/&!-]{12,}`).FindAllString(file, -1) {
		if strings.ContainsAny(w, "0123456789") && strings.Contains(text, w) {
			t.Errorf("finding quotes %q:\n%s", w, text)
		}
	}
}

// TestTree walks a directory: symlinks are not followed, .git is not
// read, a file over the size budget is a note.
func TestTree(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "leak.env"), []byte("DB_PASSWORD=Sup3rS3cretValue\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	write("app/.env", "DB_PASSWORD=Sup3rS3cretValue\n")
	write(".git/config", "DB_PASSWORD=Sup3rS3cretValue\n")
	write("big/dump.sql", strings.Repeat("x", MaxFileSize+1))
	write("bin/tool", "DB_PASSWORD=Sup3rS3cretValue\x00\n")
	if err := os.Symlink(filepath.Join(outside, "leak.env"), filepath.Join(dir, "linked.env")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	fs, st, err := Tree(context.Background(), tree.NewWalk(), []string{"."}, regexp.MustCompile(`^ignored/`), 2)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%s:%d %s %s", f.File, f.Line, f.Rule, f.Severity))
	}
	want := []string{"app/.env:1 secret/assignment error", "big/dump.sql:0 secret/not-scanned note"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
	if st.Files != 3 {
		t.Errorf("files scanned = %d, want 3 (.env, dump.sql, tool)", st.Files)
	}
}

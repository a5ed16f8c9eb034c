// Package testfs writes the small file trees tests build their inputs
// from, failing the test on any error.
package testfs

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// Write writes text to dir/name, making the directories it needs.
func Write(t testing.TB, dir, name, text string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// WriteAll writes every file of files (name → text) under dir.
func WriteAll(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		Write(t, dir, name, text)
	}
}

// PackChart writes files (chart-relative names) as `helm package` packs a
// chart: a gzipped tar of regular files under name/.
func PackChart(t testing.TB, to, name string, files map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, n := range slices.Sorted(maps.Keys(files)) {
		text := files[n]
		if err := tw.WriteHeader(&tar.Header{Name: name + "/" + n, Mode: 0o644, Size: int64(len(text)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(text)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	Write(t, filepath.Dir(to), filepath.Base(to), buf.String())
}

// Git runs the real git in dir as a user of its own, with main the
// default branch, and returns what it prints.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@e", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// Commit makes dir a repository whose main holds files.
func Commit(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	WriteAll(t, dir, files)
	Git(t, dir, "init", "-q")
	Git(t, dir, "add", ".")
	Git(t, dir, "commit", "-qm", "base")
}

// Change writes files (an empty text deletes one) over the repository
// dir and returns the file of the change against main, as the
// pipelines' fetch step writes it (git diff -U0); the work tree is main
// again when the test ends.
func Change(t testing.TB, dir string, files map[string]string) string {
	t.Helper()
	for name, text := range files {
		if text == "" {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		Write(t, dir, name, text)
	}
	Git(t, dir, "add", "-A")
	diff := filepath.Join(t.TempDir(), "changes.diff")
	if err := os.WriteFile(diff, []byte(Git(t, dir, "diff", "-U0", "--cached", "main", "--")), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		Git(t, dir, "reset", "-q", "--hard", "main")
		Git(t, dir, "clean", "-qfd")
	})
	return diff
}

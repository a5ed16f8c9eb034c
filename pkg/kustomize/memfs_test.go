package kustomize

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// TestMemFSAsFsnode: on the names kyaml's in-memory file system takes,
// ours answers every question kustomize asks exactly as it does; on the
// names it refuses, ours takes them as a disk does.
func TestMemFSAsFsnode(t *testing.T) {
	files := map[string]string{
		"kustomization.yaml": "resources: [a.yaml]\n", "a.yaml": "a", "b/c.yaml": "c", "b/d/e.yml": "e",
		"b/.hidden.yaml": "h", ".git/config": "g", "z.json": "z",
	}
	ref, ours := filesys.MakeFsInMemory(), newMemFS()
	for name, text := range files {
		for _, f := range []filesys.FileSystem{ref, ours} {
			if err := f.WriteFile(name, []byte(text)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := ours.MkdirAll("/empty/dir"); err != nil {
		t.Fatal(err)
	}
	if err := ref.MkdirAll("/empty/dir"); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		Exists, IsDir bool
		Read          string
		ReadErr       bool
		NotExist      bool
		Dir, File     string
		AbsErr        bool
		Entries       []string
	}
	ask := func(f filesys.FileSystem, p string) answer {
		var a answer
		a.Exists, a.IsDir = f.Exists(p), f.IsDir(p)
		data, err := f.ReadFile(p)
		a.Read, a.ReadErr, a.NotExist = string(data), err != nil, errors.Is(err, fs.ErrNotExist)
		d, file, err := f.CleanedAbs(p)
		a.Dir, a.File, a.AbsErr = string(d), file, err != nil
		entries, _ := f.ReadDir(p)
		slices.Sort(entries)
		a.Entries = entries
		return a
	}
	for _, p := range []string{"/", "", ".", "a.yaml", "/a.yaml", "b", "/b/", "b/d/e.yml", "b/../a.yaml", "nope", "b/nope", "empty", "/empty/dir", "a.yaml/x"} {
		if diff := cmp.Diff(ask(ref, p), ask(ours, p)); diff != "" {
			t.Errorf("%q (-fsnode +ours):\n%s", p, diff)
		}
	}
	for _, pattern := range []string{"/*", "/b/*", "/b/*.yaml", "/b/.*", "/*/*", "/[", "/b/d/*"} {
		want, wantErr := ref.Glob(pattern)
		got, gotErr := ours.Glob(pattern)
		slices.Sort(want)
		if diff := cmp.Diff(want, got); diff != "" || (wantErr == nil) != (gotErr == nil) {
			t.Errorf("Glob(%q): %v/%v (-fsnode +ours):\n%s", pattern, wantErr, gotErr, diff)
		}
	}
	walk := func(f filesys.FileSystem, root string, skip string) []string {
		var seen []string
		err := f.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			seen = append(seen, p+map[bool]string{true: "/"}[info.IsDir()])
			if filepath.Base(p) == skip {
				return filepath.SkipDir
			}
			return nil
		})
		if err != nil {
			seen = append(seen, "error")
		}
		return seen
	}
	for _, c := range []struct{ root, skip string }{{"/", ""}, {"/b", ""}, {"/", "b"}, {"/", ".git"}, {"/nope", ""}, {"/a.yaml", ""}} {
		if diff := cmp.Diff(walk(ref, c.root, c.skip), walk(ours, c.root, c.skip)); diff != "" {
			t.Errorf("Walk(%q, skip %q) (-fsnode +ours):\n%s", c.root, c.skip, diff)
		}
	}

	// What fsnode refuses, ours holds, and reads back.
	for _, name := range []string{"docs/Getting started/a b.md", "x.yaml~", "ünï+v1@x,y.yaml", "a (prod).yaml"} {
		if err := ref.WriteFile(name, []byte("x")); err == nil {
			t.Errorf("fsnode took %q: this test's premise is gone", name)
		}
		if err := ours.WriteFile(name, []byte("x")); err != nil {
			t.Errorf("%q: %v", name, err)
		}
		if data, err := ours.ReadFile(name); err != nil || string(data) != "x" {
			t.Errorf("%q read back %q, %v", name, data, err)
		}
	}

	// Create writes through; Open reads a snapshot and refuses writes.
	w, err := ours.Create("/new/file.txt")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "hello ")
	io.WriteString(w, "world")
	w.Close()
	r, err := ours.Open("/new/file.txt")
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := io.ReadAll(r); string(data) != "hello world" {
		t.Errorf("read %q", data)
	}
	if _, err := r.Write([]byte("x")); err == nil {
		t.Error("a file opened for reading took a write")
	}
	if err := ours.RemoveAll("/b"); err != nil || ours.Exists("/b/d/e.yml") || slices.Contains(must(ours.ReadDir("/")), "b") {
		t.Errorf("RemoveAll(/b): %v; still there", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestMemFSEmpty: the empty path names nothing, and writing it is an error.
func TestMemFSEmpty(t *testing.T) {
	m := newMemFS()
	if err := m.WriteFile("", []byte("x")); err == nil {
		t.Error("wrote the empty path")
	}
	if err := m.MkdirAll(""); err == nil {
		t.Error("made the empty path")
	}
	if _, err := m.Create(""); err == nil {
		t.Error("created the empty path")
	}
	if m.Exists("") || m.RemoveAll("") == nil {
		t.Error("the empty path exists, or was removed")
	}
}

package kustomize

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// memFS is an in-memory file system for kustomize that takes every file
// name a disk does. kyaml's own (filesys.MakeFsInMemory) refuses any
// name outside [A-Za-z0-9-_.:], so one "Getting started" directory, an
// editor's "x.yaml~" or a non-ASCII name anywhere in a repository stopped
// the whole copy, where kustomize build on the disk reads them all.
// Paths are as fsnode's: absolute, and a relative one is from the root.
type memFS struct {
	files map[string][]byte
	dirs  map[string]map[string]bool // directory → its entries' names
}

var _ filesys.FileSystem = (*memFS)(nil)

func newMemFS() *memFS {
	return &memFS{files: map[string][]byte{}, dirs: map[string]map[string]bool{"/": {}}}
}

// clean is p's key: slash-separated, rooted, cleaned; "" names nothing,
// as in fsnode.
func clean(p string) string {
	if p == "" {
		return ""
	}
	return path.Clean("/" + strings.TrimLeft(filepath.ToSlash(p), "/"))
}

// notExist is fsnode's error for a missing path, as kustomize sees it.
type notExist string

func (e notExist) Error() string { return fmt.Sprintf("'%s' doesn't exist", string(e)) }
func (e notExist) Unwrap() error { return os.ErrNotExist }

func (m *memFS) mkdirs(dir string) error {
	if !strings.HasPrefix(dir, "/") {
		return fmt.Errorf("illegal path %q", dir)
	}
	if _, ok := m.files[dir]; ok {
		return fmt.Errorf("%s is a file, not a directory", dir)
	}
	if _, ok := m.dirs[dir]; ok {
		return nil
	}
	parent := path.Dir(dir)
	if err := m.mkdirs(parent); err != nil {
		return err
	}
	m.dirs[dir] = map[string]bool{}
	m.dirs[parent][path.Base(dir)] = true
	return nil
}

func (m *memFS) Mkdir(p string) error    { return m.mkdirs(clean(p)) }
func (m *memFS) MkdirAll(p string) error { return m.mkdirs(clean(p)) }

func (m *memFS) WriteFile(p string, data []byte) error {
	k := clean(p)
	if k == "" || k == "/" {
		return fmt.Errorf("illegal file name %q", p)
	}
	if _, ok := m.dirs[k]; ok {
		return fmt.Errorf("cannot write to directory %s", k)
	}
	if err := m.mkdirs(path.Dir(k)); err != nil {
		return err
	}
	m.files[k] = slices.Clone(data)
	m.dirs[path.Dir(k)][path.Base(k)] = true
	return nil
}

func (m *memFS) Create(p string) (filesys.File, error) {
	if err := m.WriteFile(p, nil); err != nil {
		return nil, err
	}
	k := clean(p)
	return &memFile{fs: m, key: k, r: bytes.NewReader(nil)}, nil
}

func (m *memFS) RemoveAll(p string) error {
	k := clean(p)
	if k == "/" || k == "" {
		return fmt.Errorf("cannot remove %q", p)
	}
	if _, ok := m.files[k]; ok {
		delete(m.files, k)
	} else if entries, ok := m.dirs[k]; ok {
		for name := range entries {
			if err := m.RemoveAll(path.Join(k, name)); err != nil {
				return err
			}
		}
		delete(m.dirs, k)
	} else {
		return nil
	}
	delete(m.dirs[path.Dir(k)], path.Base(k))
	return nil
}

func (m *memFS) Open(p string) (filesys.File, error) {
	k := clean(p)
	data, ok := m.files[k]
	if !ok {
		if _, dir := m.dirs[k]; !dir {
			return nil, notExist(p)
		}
	}
	return &memFile{key: k, r: bytes.NewReader(data), dir: !ok}, nil
}

func (m *memFS) IsDir(p string) bool {
	_, ok := m.dirs[clean(p)]
	return ok
}

func (m *memFS) Exists(p string) bool {
	k := clean(p)
	_, file := m.files[k]
	_, dir := m.dirs[k]
	return file || dir
}

func (m *memFS) ReadDir(p string) ([]string, error) {
	k := clean(p)
	entries, ok := m.dirs[k]
	if !ok {
		if _, file := m.files[k]; file {
			return nil, fmt.Errorf("%s is not a directory", p)
		}
		return nil, notExist(p)
	}
	names := make([]string, 0, len(entries))
	for name := range entries {
		names = append(names, name)
	}
	slices.Sort(names)
	return names, nil
}

func (m *memFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	k := clean(p)
	if _, ok := m.dirs[k]; ok {
		return filesys.ConfirmedDir(k), "", nil
	}
	if _, ok := m.files[k]; ok {
		return filesys.ConfirmedDir(path.Dir(k)), path.Base(k), nil
	}
	return "", "", notExist(p)
}

func (m *memFS) ReadFile(p string) ([]byte, error) {
	k := clean(p)
	data, ok := m.files[k]
	if !ok {
		if _, dir := m.dirs[k]; dir {
			return nil, fmt.Errorf("cannot read content from non-file '%s'", p)
		}
		if _, file := m.files[path.Dir(k)]; file {
			return nil, fmt.Errorf("%s: not a directory", path.Dir(k))
		}
		return nil, notExist(p)
	}
	return slices.Clone(data), nil
}

// Glob matches files only, hidden ones only when the pattern is, as
// fsnode's Glob emulates filepath.Glob.
func (m *memFS) Glob(pattern string) ([]string, error) {
	if _, err := filepath.Match(pattern, ""); err != nil {
		return nil, err
	}
	var out []string
	for k := range m.files {
		if ok, _ := filepath.Match(pattern, k); ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	if filesys.IsHiddenFilePath(pattern) {
		return out, nil
	}
	return filesys.RemoveHiddenFiles(out), nil
}

// Walk visits p and what is under it in lexical order, as filepath.Walk.
func (m *memFS) Walk(p string, fn filepath.WalkFunc) error {
	k := clean(p)
	if !m.Exists(k) {
		return notExist(p)
	}
	err := m.walk(k, fn)
	if err == filepath.SkipDir || err == filepath.SkipAll {
		return nil
	}
	return err
}

func (m *memFS) walk(k string, fn filepath.WalkFunc) error {
	_, dir := m.dirs[k]
	if err := fn(k, m.info(k), nil); err != nil || !dir {
		return err
	}
	names, _ := m.ReadDir(k)
	for _, name := range names {
		if err := m.walk(path.Join(k, name), fn); err != nil {
			if err == filepath.SkipDir {
				if m.IsDir(path.Join(k, name)) {
					continue
				}
				return nil
			}
			return err
		}
	}
	return nil
}

func (m *memFS) info(k string) os.FileInfo {
	data, file := m.files[k]
	return memInfo{name: path.Base(k), size: int64(len(data)), dir: !file}
}

// memFile is an open file: read from a snapshot, or (Create) written
// through to the file system.
type memFile struct {
	fs  *memFS // nil: read-only
	key string
	r   *bytes.Reader
	dir bool
}

func (f *memFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *memFile) Close() error               { return nil }

func (f *memFile) Write(p []byte) (int, error) {
	if f.fs == nil {
		return 0, fmt.Errorf("%s: opened for reading", f.key)
	}
	f.fs.files[f.key] = append(f.fs.files[f.key], p...)
	return len(p), nil
}

func (f *memFile) Stat() (os.FileInfo, error) {
	size := int64(f.r.Size())
	if f.fs != nil {
		size = int64(len(f.fs.files[f.key]))
	}
	return memInfo{name: path.Base(f.key), size: size, dir: f.dir}, nil
}

type memInfo struct {
	name string
	size int64
	dir  bool
}

func (i memInfo) Name() string { return i.name }
func (i memInfo) Size() int64  { return i.size }
func (i memInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return i.dir }
func (i memInfo) Sys() any           { return nil }

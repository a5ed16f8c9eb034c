package kustomize

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/plumbline/plumbline/pkg/tree"
)

// Budgets of the in-memory copy of the repository: kustomize may read any
// file (a configMapGenerator's), so everything under the root is copied,
// but a pull request cannot make the copy unbounded.
const (
	MaxFileSize  = 16 << 20
	MaxTreeBytes = 256 << 20
	MaxTreeFiles = 100_000
)

// memTree is the repository in memory, as kustomize's file system, and
// the files a build read.
type memTree struct {
	filesys.FileSystem
	mu   sync.Mutex
	read map[string]bool // "/"-rooted paths
	// helm, when set, renders helmCharts entries (inflate); generated
	// are the files their output was written to, root-relative.
	helm      *HelmOptions
	generated map[string]*Release
}

// load copies the regular files under root into memory. A file over
// MaxFileSize or refused by pkg/tree (a symlink out of the tree, a device)
// is left out: kustomize then reports it missing where it is used.
func load(walk *tree.Walk, root string) (*memTree, error) {
	m := &memTree{FileSystem: newMemFS(), read: map[string]bool{}, generated: map[string]*Release{}}
	entries, err := walk.Entries(root)
	if err != nil {
		return nil, err
	}
	rd, err := tree.NewReader(root)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var total int64
	files := 0
	for _, e := range entries {
		rel, _ := filepath.Rel(root, e.Path)
		if e.Dir() {
			if err := m.MkdirAll(memPath(rel)); err != nil {
				return nil, err
			}
			continue
		}
		if e.Type&fs.ModeSymlink == 0 && !e.Type.IsRegular() {
			continue
		}
		if files++; files > MaxTreeFiles {
			return nil, fmt.Errorf("more than %d files under %s: too many to render kustomizations", MaxTreeFiles, root)
		}
		data, err := rd.ReadFile(e.Path, MaxFileSize)
		if err != nil {
			continue // not copied: kustomize says so if it needs it
		}
		if total += int64(len(data)); total > MaxTreeBytes {
			return nil, fmt.Errorf("more than %d MiB under %s: too much to render kustomizations", MaxTreeBytes>>20, root)
		}
		if err := m.WriteFile(memPath(rel), data); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// memPath is where a root-relative path lives in memory.
func memPath(rel string) string {
	rel = filepath.ToSlash(filepath.Clean(rel))
	if rel == "." {
		return "/"
	}
	return "/" + strings.TrimPrefix(rel, "/")
}

// relPath is the root-relative, slash-separated form of an in-memory path.
func relPath(p string) string {
	p = strings.TrimPrefix(filepath.ToSlash(filepath.Clean(p)), "/")
	if p == "" {
		return "."
	}
	return p
}

func (m *memTree) ReadFile(p string) ([]byte, error) {
	m.mu.Lock()
	m.read[filepath.Clean(p)] = true
	m.mu.Unlock()
	return m.FileSystem.ReadFile(p)
}

func (m *memTree) Open(p string) (filesys.File, error) {
	m.mu.Lock()
	m.read[filepath.Clean(p)] = true
	m.mu.Unlock()
	return m.FileSystem.Open(p)
}

// taken returns and forgets the files read since the last call.
func (m *memTree) taken() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.read))
	for p := range m.read {
		if !m.FileSystem.IsDir(p) {
			out = append(out, relPath(p))
		}
	}
	clear(m.read)
	return out
}

var _ filesys.FileSystem = (*memTree)(nil)

// kustomizationIn returns the kustomization file of dir, or "".
func (m *memTree) kustomizationIn(dir string) string {
	for _, name := range FileNames {
		p := pathJoin(dir, name)
		if m.FileSystem.Exists(memPath(p)) && !m.FileSystem.IsDir(memPath(p)) {
			return p
		}
	}
	return ""
}

func pathJoin(dir, name string) string {
	if dir == "." || dir == "" {
		return name
	}
	return dir + "/" + name
}

// FileNames are the names kustomize recognises, in its order.
var FileNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// IsKustomization reports whether a file name is a kustomization's.
func IsKustomization(name string) bool {
	base := filepath.Base(name)
	for _, n := range FileNames {
		if base == n {
			return true
		}
	}
	return false
}

func statDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

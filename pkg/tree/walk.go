package tree

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// Entry is one thing a walk of the tree saw: a directory, a regular file,
// a symlink (not followed) or anything else, by its type bits.
type Entry struct {
	// Path is as filepath.WalkDir gives it under the path asked for.
	Path string
	Type fs.FileMode
}

// Dir reports whether the entry is a directory.
func (e Entry) Dir() bool { return e.Type.IsDir() }

// Name is the entry's last element.
func (e Entry) Name() string { return filepath.Base(e.Path) }

// Walk is the tree walked once and asked many times: the policy inputs,
// the kustomizations, data.plumbline's directories, the secret scan, the
// address plan and the Tekton references of one run all read it, and a
// path inside one already walked is served from that walk. Safe for
// concurrent use.
type Walk struct {
	mu    sync.Mutex
	walks map[string]*walked // by absolute path
}

type walked struct {
	entries []Entry // Path absolute
	index   map[string]int
	err     error
}

// NewWalk starts a run's walk; nothing is read until asked.
func NewWalk() *Walk { return &Walk{walks: map[string]*walked{}} }

// Entries lists p (a directory or a file) as filepath.WalkDir does, in its
// order: directories Skip names are passed over (p itself excepted) and
// symlinks are not followed. Each directory is read once per Walk.
func (w *Walk) Entries(p string) ([]Entry, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	src, from := w.find(abs)
	if src == nil {
		src = walkAbs(abs)
		w.walks[abs] = src
		from = 0
	}
	if src.err != nil {
		return nil, fmt.Errorf("%s: %w", p, src.err)
	}
	// The entries from p's own on, as WalkDir under p spells them.
	out := []Entry{{Path: p, Type: src.entries[from].Type}}
	prefix := abs + string(filepath.Separator)
	if abs == string(filepath.Separator) {
		prefix = abs
	}
	for _, e := range src.entries[from+1:] {
		if !strings.HasPrefix(e.Path, prefix) {
			break
		}
		out = append(out, Entry{Path: filepath.Join(p, e.Path[len(prefix):]), Type: e.Type})
	}
	return out, nil
}

// find returns a walk holding abs and abs's place in it: its own, or an
// ancestor's that entered it.
func (w *Walk) find(abs string) (*walked, int) {
	if wk := w.walks[abs]; wk != nil {
		return wk, 0
	}
	for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
		if wk := w.walks[dir]; wk != nil && wk.err == nil {
			if i, ok := wk.index[abs]; ok {
				return wk, i
			}
			return nil, 0 // passed over (Skip) or not there: walk it
		}
		if dir == filepath.Dir(dir) {
			return nil, 0
		}
	}
}

// MaxEntries bounds one walk: past half a million files and directories
// (some 45 MB of listing) a tree is not a configuration repository, and a
// pull request must not make the walk grow without bound.
const MaxEntries = 500_000

// maxEntries is MaxEntries, lowered by the test of the bound.
var maxEntries = MaxEntries

// walkAbs walks abs with Skip's rule; entries are recorded in WalkDir's
// order, with where each directory is for find.
func walkAbs(abs string) *walked {
	wk := &walked{index: map[string]int{}}
	wk.err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != abs && Skip(d.Name()) {
			return filepath.SkipDir
		}
		if len(wk.entries) >= maxEntries {
			return fmt.Errorf("more than %d files and directories: not a configuration repository (budget)", maxEntries)
		}
		if d.IsDir() {
			wk.index[p] = len(wk.entries)
		}
		wk.entries = append(wk.entries, Entry{Path: p, Type: d.Type()})
		return nil
	})
	if wk.err == nil && len(wk.entries) > 0 {
		wk.index[abs] = 0
	}
	return wk
}

// Files lists the regular files under p (a directory or a file) as a walk
// of the tree sees them: directories Skip names are passed over, symlinks
// are not followed, and paths ignore matches are left out.
func (w *Walk) Files(p string, ignore *regexp.Regexp) ([]string, error) {
	entries, err := w.Entries(p)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if e.Type.IsRegular() && (ignore == nil || !ignore.MatchString(e.Path)) {
			files = append(files, e.Path)
		}
	}
	return files, nil
}

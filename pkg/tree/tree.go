package tree

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// Error is a file refused before it was read. It says why, never what the
// file holds.
type Error struct {
	Path string // as the caller named it
	Msg  string
}

func (e *Error) Error() string { return e.Path + ": " + e.Msg }

// Root returns the root that paths are scanned under: the working
// directory when path is inside it (in a Task, the source workspace), else
// path itself, or its directory when path is a file.
func Root(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	if cwd, err := os.Getwd(); err == nil && Within(cwd, abs) {
		return cwd
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return filepath.Dir(abs)
	}
	return abs
}

// RootFor is the root to read name under: Root(root) when name is inside
// it, else name's own directory. A path found by walking the tree is always
// inside it, so its symlinks are held to the tree; only a path the caller
// named outside the tree (a flag from the pipeline, not the repository)
// is read from where it is, and still no symlink leads it further.
func RootFor(root, name string) string {
	r := Root(root)
	abs, err := filepath.Abs(name)
	if err != nil || Within(r, abs) {
		return r
	}
	return filepath.Dir(abs)
}

// Within reports whether the path p is root or below it (both absolute or
// both relative), lexically.
func Within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// ReadFile reads name (absolute, or relative to the working directory),
// which must resolve inside root without leaving it through a symlink, be
// a regular file and hold at most limit bytes.
func ReadFile(root, name string, limit int64) ([]byte, error) {
	rd, err := NewReader(root)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return rd.ReadFile(name, limit)
}

// Open opens name for reading under the same rules as ReadFile, without
// the size limit: a regular file inside root.
func Open(root, name string) (*os.File, error) {
	rd, err := NewReader(root)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return rd.Open(name)
}

// Reader reads files under one root through one open directory, for a
// run that reads thousands of files; safe for concurrent use.
type Reader struct {
	abs string // the root, absolute
	cwd string // the working directory when it was made
	r   *os.Root
	// dirs holds directories opened under r, for reading the files in
	// them by name (read_linux.go); at most maxDirs.
	dirs  sync.Map // string -> *os.File
	ndirs atomic.Int32
}

// NewReader opens root; Close it when done.
func NewReader(root string) (*Reader, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", root, err)
	}
	return &Reader{abs: abs, cwd: cwd, r: r}, nil
}

// Close closes the root.
func (rd *Reader) Close() error {
	rd.dirs.Range(func(_, f any) bool {
		f.(*os.File).Close()
		return true
	})
	return rd.r.Close()
}

// Has reports whether name (absolute, or relative to the working
// directory) lies inside the root, lexically.
func (rd *Reader) Has(name string) bool {
	_, err := rd.relative(name)
	return err == nil
}

// ReadFile is ReadFile under this root.
func (rd *Reader) ReadFile(name string, limit int64) ([]byte, error) {
	if rel, err := rd.relative(name); err == nil {
		if data, ok, err := rd.readDirect(name, rel, limit); ok {
			return data, err
		}
	}
	f, err := rd.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return readLimited(name, f, fi.Size(), limit)
}

// readLimited reads r, a file of size bytes named name, refusing one over
// limit bytes (before reading, or while reading when it grew). The buffer
// is sized from the file, as os.ReadFile does: io.ReadAll's doubling would
// allocate twice a large file's size.
func readLimited(name string, r io.Reader, size, limit int64) ([]byte, error) {
	if size > limit {
		return nil, &Error{Path: name, Msg: fmt.Sprintf("%d bytes, over the %d-byte limit", size, limit)}
	}
	data := make([]byte, 0, min(size, limit)+512)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if int64(len(data)) > limit {
			return nil, &Error{Path: name, Msg: fmt.Sprintf("over the %d-byte limit", limit)}
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
	}
}

// Open is Open under this root.
func (rd *Reader) Open(name string) (*os.File, error) {
	rel, err := rd.relative(name)
	if err != nil {
		return nil, err
	}
	// O_NONBLOCK: opening a FIFO must not wait for a writer that never comes.
	f, err := rd.r.OpenFile(rel, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		if strings.Contains(err.Error(), "escapes") {
			return nil, &Error{Path: name, Msg: "refused: a symlink that leads out of the scanned tree"}
		}
		// Name the file as the caller did, not as openat saw it.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, &fs.PathError{Op: "open", Path: name, Err: pe.Err}
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &Error{Path: name, Msg: fmt.Sprintf("refused: not a regular file (%s)", kind(fi.Mode()))}
	}
	return f, nil
}

// relative makes name relative to the root, refusing a name outside it.
func (rd *Reader) relative(name string) (string, error) {
	abs := name
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(rd.cwd, name)
	}
	rel, err := filepath.Rel(rd.abs, abs)
	if err != nil || !Within(rd.abs, abs) {
		return "", &Error{Path: name, Msg: "refused: outside the scanned tree"}
	}
	return rel, nil
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}

// Escapes walks dir (inside root) and returns an *Error for every symlink
// that leads out of root, dangles, or ends at something that is neither a
// regular file nor a directory: what a tool that follows symlinks itself
// must never be given. It does not follow symlinked directories.
func Escapes(root, dir string) ([]*Error, error) {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	realRoot, err := filepath.EvalSymlinks(absRoot)
	if err != nil {
		return nil, err
	}
	var out []*Error
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink == 0 {
			if err == nil && !d.IsDir() && !d.Type().IsRegular() {
				out = append(out, &Error{Path: p, Msg: fmt.Sprintf("refused: not a regular file (%s)", d.Type())})
			}
			return nil
		}
		// Absolute first: EvalSymlinks keeps a relative path relative
		// (main.yml -> real.yml under a relative dir), and a relative
		// target is never within the absolute root.
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		target, err := filepath.EvalSymlinks(abs)
		if err != nil {
			out = append(out, &Error{Path: p, Msg: "refused: a symlink that leads nowhere or out of the scanned tree"})
			return nil
		}
		if !Within(realRoot, target) {
			out = append(out, &Error{Path: p, Msg: "refused: a symlink that leads out of the scanned tree"})
			return nil
		}
		if fi, err := os.Stat(target); err != nil || !(fi.Mode().IsRegular() || fi.IsDir()) {
			out = append(out, &Error{Path: p, Msg: "refused: a symlink to something that is not a regular file"})
		}
		return nil
	})
	return out, err
}

// skipped are directories a walk of the tree never enters: VCS data,
// Terraform's module cache, our own reports (other checks' JSON would
// become input), npm's packages.
var skipped = map[string]bool{".git": true, ".terraform": true, ".plumbline": true, "node_modules": true}

// Skip reports whether a walk of the tree passes over a directory of this
// name.
func Skip(name string) bool { return skipped[name] }

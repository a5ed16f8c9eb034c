package tree

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// maxDirs bounds the directories a Reader keeps open.
const maxDirs = 256

// readDirect reads rel (relative to the root; name as the caller named
// it) with openat on its directory, opened once under the root: one open,
// one stat and the reads per file, where opening through the root walks
// every path component again. ok is false when the file needs the careful
// path (a symlink, not a regular file, a directory not yet open past
// maxDirs, any open error): that path then decides, and words any refusal,
// as before.
func (rd *Reader) readDirect(name, rel string, limit int64) (data []byte, ok bool, err error) {
	dir := rd.dir(filepath.Dir(rel))
	if dir == nil {
		return nil, false, nil
	}
	// O_NOFOLLOW: a symlink fails with ELOOP and goes the careful way,
	// which follows it only inside the root. O_NONBLOCK: a FIFO must not
	// wait for a writer.
	fd, err := syscall.Openat(int(dir.Fd()), filepath.Base(rel), syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, false, nil
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, false, nil
	}
	data, err = readLimited(name, fdReader(fd), st.Size, limit)
	return data, true, err
}

// fdReader reads a file descriptor without an *os.File (whose making tries
// to add a regular file to the network poller, one more system call).
type fdReader int

func (fd fdReader) Read(p []byte) (int, error) {
	for {
		n, err := syscall.Read(int(fd), p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// dir returns the open directory rel under the root, opening it on first
// use; nil when it cannot be opened or too many are.
func (rd *Reader) dir(rel string) *os.File {
	if f, ok := rd.dirs.Load(rel); ok {
		return f.(*os.File)
	}
	if rd.ndirs.Load() >= maxDirs {
		return nil
	}
	f, err := rd.r.Open(rel)
	if err != nil {
		return nil
	}
	if fi, err := f.Stat(); err != nil || !fi.IsDir() {
		f.Close()
		return nil
	}
	if old, loaded := rd.dirs.LoadOrStore(rel, f); loaded {
		f.Close()
		return old.(*os.File)
	}
	rd.ndirs.Add(1)
	return f
}

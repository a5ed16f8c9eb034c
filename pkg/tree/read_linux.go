package tree

import (
	"os"
	"path/filepath"
	"syscall"
)

// maxDirs bounds the directories a Reader keeps open.
const maxDirs = 256

// readDirect reads rel (relative to the root) with openat on its
// directory, opened once under the root: one open, one stat and the reads
// per file, where opening through the root walks every path component
// again. ok is false when the file needs the careful path (a symlink, not
// a regular file, a directory not yet open past maxDirs, any open error):
// that path then decides, and words any refusal, as before.
func (rd *Reader) readDirect(rel string, limit int64) (data []byte, ok bool, err error) {
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
	if st.Size > limit {
		return nil, true, &tooBig{st.Size}
	}
	data = make([]byte, 0, min(st.Size, limit)+512)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := syscall.Read(fd, data[len(data):cap(data)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, true, err
		}
		if n == 0 {
			return data, true, nil
		}
		data = data[:len(data)+n]
		if int64(len(data)) > limit {
			return nil, true, errOverLimit
		}
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

// Package scratch finds writable places for the tools the checks drive.
// In a pod under an arbitrary UID, HOME is often not writable, and
// terraform and ansible-lint both need somewhere to keep caches.
package scratch

import (
	"os"
	"path/filepath"
)

// Writable reports whether a file can be created in dir.
func Writable(dir string) bool {
	if dir == "" {
		return false
	}
	f, err := os.CreateTemp(dir, ".plumbline-write-test-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// Creatable reports whether dir is writable, or does not exist yet and its
// nearest existing parent is writable.
func Creatable(dir string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			return Writable(d)
		}
		if d == filepath.Dir(d) {
			return false
		}
	}
}

package report

import (
	"os"
	"path/filepath"
	"strings"
)

// RelPath makes p relative to the working directory, with forward slashes,
// as finding files must be. ok is false when p is not below the working
// directory; p is then returned with forward slashes only.
func RelPath(p string) (rel string, ok bool) {
	// A relative path that does not climb is already relative to the
	// working directory: no need to ask the kernel where that is (Getwd
	// stats twice, and a run may place thousands of findings).
	if !filepath.IsAbs(p) {
		if c := filepath.Clean(p); !climbs(c) {
			return filepath.ToSlash(c), true
		}
	}
	cwd, err := os.Getwd()
	if err != nil {
		return filepath.ToSlash(p), false
	}
	return RelTo(cwd, p)
}

// RelTo is RelPath with the working directory given: a caller placing
// thousands of files asks the kernel once.
func RelTo(cwd, p string) (rel string, ok bool) {
	abs := p
	if !filepath.IsAbs(p) {
		abs = filepath.Join(cwd, p)
	}
	r, err := filepath.Rel(cwd, abs)
	if err != nil || climbs(r) {
		return filepath.ToSlash(p), false
	}
	return filepath.ToSlash(r), true
}

func climbs(rel string) bool {
	return rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

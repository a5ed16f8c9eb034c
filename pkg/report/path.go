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
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.ToSlash(p), false
	}
	cwd, err := os.Getwd()
	if err != nil {
		return filepath.ToSlash(p), false
	}
	r, err := filepath.Rel(cwd, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(p), false
	}
	return filepath.ToSlash(r), true
}

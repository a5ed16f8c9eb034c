// Package testfs writes the small file trees tests build their inputs
// from, failing the test on any error.
package testfs

import (
	"os"
	"path/filepath"
	"testing"
)

// Write writes text to dir/name, making the directories it needs.
func Write(t testing.TB, dir, name, text string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// WriteAll writes every file of files (name → text) under dir.
func WriteAll(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		Write(t, dir, name, text)
	}
}

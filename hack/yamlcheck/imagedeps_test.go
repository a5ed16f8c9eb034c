package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbline/plumbline/internal/gotool"
)

// TestImagesStayLean: image binaries and plumbline must not pull in Tekton, Kubernetes or
// knative (binary size and start-up); those belong in hack/ and tests.
func TestImagesStayLean(t *testing.T) {
	cmd := gotool.Command("list", "-deps", "./images/...", "./cmd/...")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/tektoncd/", "k8s.io/", "knative.dev/", "sigs.k8s.io/"} {
			if strings.HasPrefix(pkg, banned) {
				t.Errorf("an image depends on %s", pkg)
			}
		}
	}
}

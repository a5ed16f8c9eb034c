package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbline/plumbline/internal/gotool"
)

// renderers are the packages that render what a repository deploys and
// check quantities as the API server does: kustomize's API (issue 21),
// Helm's engine (issue 35: its capabilities and lookup bring client-go's
// scheme and dynamic client) and apimachinery's quantity parser. Only the
// binaries that run policy-check may have what they bring.
var renderers = []string{"./pkg/kustomize", "./pkg/helm", "./pkg/kube"}

// TestImagesStayLean: image binaries and plumbline must not pull in Tekton,
// Kubernetes' client or API types, or knative (binary size and start-up);
// those belong in hack/ and tests. policy-check and plumbline may have
// what the renderers bring, and nothing else of Kubernetes; no renderer
// brings Tekton or knative.
func TestImagesStayLean(t *testing.T) {
	deps := gotool.Command(append([]string{"list", "-deps"}, renderers...)...)
	deps.Dir = filepath.Join("..", "..")
	out, err := deps.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	rendering := map[string]bool{}
	for _, d := range strings.Fields(string(out)) {
		if strings.HasPrefix(d, "github.com/tektoncd/") || strings.HasPrefix(d, "knative.dev/") {
			t.Errorf("the renderers depend on %s", d)
		}
		rendering[d] = true
	}
	list := gotool.Command("list", "./images/...", "./cmd/...")
	list.Dir = filepath.Join("..", "..")
	mains, err := list.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(mains)) {
		cmd := gotool.Command("list", "-deps", pkg)
		cmd.Dir = filepath.Join("..", "..")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		renders := strings.HasSuffix(pkg, "/images/policy-check") || strings.HasSuffix(pkg, "/cmd/plumbline")
		for _, dep := range strings.Fields(string(out)) {
			for _, banned := range []string{"github.com/tektoncd/", "k8s.io/", "knative.dev/", "sigs.k8s.io/"} {
				if strings.HasPrefix(dep, banned) && !(renders && rendering[dep]) {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}

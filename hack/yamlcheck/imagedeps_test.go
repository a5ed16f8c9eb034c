package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbline/plumbline/internal/gotool"
)

// rendering is what rendering kustomizations and checking quantities as the
// API server does bring in (issue 21): kustomize's API and kyaml, the
// OpenAPI types kyaml reads, sigs.k8s.io/yaml, and apimachinery's quantity
// parser. Only the binaries that run policy-check may have them.
var rendering = []string{
	"sigs.k8s.io/kustomize/", "sigs.k8s.io/yaml", "k8s.io/kube-openapi/pkg/validation/spec",
	"k8s.io/kube-openapi/pkg/internal", "k8s.io/apimachinery/pkg/api/resource",
	"k8s.io/apimachinery/pkg/runtime/serializer/cbor/",
}

// TestImagesStayLean: image binaries and plumbline must not pull in Tekton,
// Kubernetes' client or API types, or knative (binary size and start-up);
// those belong in hack/ and tests. policy-check and plumbline may have
// the few rendering packages above, and nothing else of Kubernetes.
func TestImagesStayLean(t *testing.T) {
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
				if strings.HasPrefix(dep, banned) && !(renders && allowed(dep)) {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}

func allowed(dep string) bool {
	for _, a := range rendering {
		if strings.HasPrefix(dep, a) {
			return true
		}
	}
	return false
}

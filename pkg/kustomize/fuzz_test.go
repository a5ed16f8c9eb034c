package kustomize

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzRender: any kustomization and resource file render or fail with an
// error, never panic, hang or fetch; every object can be located.
func FuzzRender(f *testing.F) {
	f.Add("resources:\n  - r.yaml\n", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	f.Add("resources: [r.yaml]\npatches:\n  - patch: |-\n      - op: add\n        path: /data/x\n        value: y\n    target: {kind: ConfigMap}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {}\n")
	f.Add("resources: [r.yaml]\nimages: [{name: nginx, newTag: '1'}]\nnamePrefix: p-\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: [{name: c, image: nginx}]}}}\n")
	f.Add("resources: [https://example.com/x.yaml, github.com/a/b]\n", "")
	f.Add("configMapGenerator: [{name: c, literals: [a=b], files: [r.yaml]}]\n", "x")
	f.Fuzz(func(t *testing.T, kust, resource string) {
		root := t.TempDir()
		if err := os.WriteFile(filepath.Join(root, "kustomization.yaml"), []byte(kust), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "r.yaml"), []byte(resource), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := Render(context.Background(), Options{Root: root, Timeout: 10 * time.Second})
		if err != nil {
			return
		}
		for _, b := range res.Builds {
			for _, o := range b.Objects {
				o.Locate([]any{"metadata", "name"})
				o.Locate([]any{"spec", "template", "spec", "containers", 0, "image"})
				o.Locate([]any{"data", "x"})
			}
		}
	})
}

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

// FuzzReleases: any Application or HelmRelease a pull request writes is
// read or reported, never a panic; what renders can be located.
func FuzzReleases(f *testing.F) {
	f.Add("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  source:\n    repoURL: https://git.example.com/me/homelab\n    path: charts/web\n    helm:\n      valueFiles: [values-prod.yaml, $v/x.yaml]\n      valuesObject: {replicas: 2}\n      parameters: [{name: image.tag, value: '1'}]\n")
	f.Add("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  sources:\n    - {repoURL: https://c.example.com, chart: web, targetRevision: '>=1'}\n    - {repoURL: https://git.example.com/me/homelab, ref: v}\n")
	f.Add("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: a, namespace: b}\nspec:\n  chart: {spec: {chart: ./charts/web, sourceRef: {kind: GitRepository, name: g}}}\n  values: {replicas: 1}\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: g, namespace: b}\nspec: {url: https://git.example.com/me/homelab}\n")
	f.Add("apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec: {source: {helm: {values: '{{'}}}\n")
	chart := webChart("1.0.0")
	f.Fuzz(func(t *testing.T, app string) {
		root := t.TempDir()
		for n, text := range chart {
			p := filepath.Join(root, "charts", "web", n)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(root, "app.yaml"), []byte(app), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := Render(context.Background(), Options{Root: root, Helm: &HelmOptions{RepoURLs: []string{ourURL}}})
		if err != nil {
			return
		}
		for _, b := range res.Builds {
			for _, o := range b.Objects {
				o.Locate([]any{"spec", "replicas"})
				o.Locate([]any{"spec", "template", "spec", "containers", 0, "image"})
			}
		}
	})
}

package helm

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCacheKey: whatever repository URL a pull request's Application
// names, its cache directory is a clean path inside the cache, and Find
// reads nothing outside it.
func FuzzCacheKey(f *testing.F) {
	for _, s := range []string{"https://charts.jetstack.io", "oci://ghcr.io/bjw-s-labs/helm/", "https://u:p@h/x",
		"https://../../etc", "oci://h/..%2f..", "", "/", "..", "https://h//a///b/", `https://h\..\x`} {
		f.Add(s, "web", "1.2.*")
	}
	cache := Cache(f.TempDir())
	f.Fuzz(func(t *testing.T, repo, name, version string) {
		k := Key(repo)
		if strings.HasPrefix(k, "/") || k == ".." || strings.HasPrefix(k, "../") || strings.Contains(k, "/../") {
			t.Fatalf("Key(%q) = %q leads out", repo, k)
		}
		if rel, err := filepath.Rel(string(cache), filepath.Join(string(cache), k)); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
			t.Fatalf("Key(%q) = %q is outside the cache", repo, k)
		}
		if _, _, err := cache.Find(repo, name, version); err == nil {
			t.Fatalf("found %s %s of %s in an empty cache", name, version, repo)
		}
	})
}

// FuzzLoad: any set of chart files loads or fails, never panics.
func FuzzLoad(f *testing.F) {
	f.Add("apiVersion: v2\nname: a\nversion: 1.0.0\n", "x: 1\n", "a: {{ .Values.x }}\n", "*.md\n")
	f.Add("apiVersion: v2\nname: a\nversion: 1.0.0\ndependencies: [{name: b, version: 1}]\n", "", "", "")
	f.Add("name: a\n", "{", "{{", "!")
	f.Fuzz(func(t *testing.T, chartYAML, values, tpl, ignore string) {
		ch, err := Load([]File{{Name: "Chart.yaml", Data: []byte(chartYAML)}, {Name: "values.yaml", Data: []byte(values)},
			{Name: "templates/t.yaml", Data: []byte(tpl)}, {Name: ".helmignore", Data: []byte(ignore)}})
		if err != nil || ch == nil {
			return
		}
		_ = ch.Name()
	})
}

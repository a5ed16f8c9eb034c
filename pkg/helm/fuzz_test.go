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

// FuzzIndex: any index.yaml a chart repository serves parses or fails,
// and a version it picks is one it lists; any repository URL is allowed
// only on a path boundary of an allowed one.
func FuzzIndex(f *testing.F) {
	f.Add("apiVersion: v1\nentries:\n  web:\n    - version: 1.0.0\n      urls: [web-1.0.0.tgz]\n    - version: 2.0.0-rc.1\n", "web", "^1", "https://h/charts/x")
	f.Add(`{"apiVersion":"v1","entries":{"web":[null,{"version":"x"}]}}`, "web", "", "oci://h/charts")
	f.Add("apiVersion: v1\nentries: {web: [{version: &a 1.0.0}, {version: *a}]}\n", "web", "1.0.0", "https://u:p@h/charts")
	f.Fuzz(func(t *testing.T, index, name, version, repo string) {
		idx, err := parseIndex([]byte(index))
		if err == nil {
			if e, err := idx.pick(name, version); err == nil && e == nil {
				t.Fatal("picked nothing without an error")
			}
		}
		r := &Remote{Allow: []string{"https://h/charts", "oci://h/charts"}}
		if r.Allowed(repo) {
			_, key, ok := splitRepo(repo)
			if !ok || key != "h/charts" && !strings.HasPrefix(key, "h/charts/") {
				t.Fatalf("%q allowed, its key %q", repo, key)
			}
		}
	})
}

package corpus

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/internal/testfs"
	"github.com/plumbline/plumbline/pkg/kustomize"
)

// chartCacheArg in a run's arguments is --chart-cache with the cache
// corpusCache builds.
const chartCacheArg = "--chart-cache=@corpus"

// cachedCharts are the corpus charts the cache holds, by the repository
// the corpus repositories name them with.
var cachedCharts = map[string]string{"stefanprodan.github.io/podinfo": "podinfo"}

var cache struct {
	once sync.Once
	dir  string
	err  error
}

// corpusCache is a chart cache, as `helm pull -d` would fill it, of the
// corpus charts packaged as `helm package` does.
func corpusCache(t *testing.T) string {
	t.Helper()
	cache.once.Do(func() {
		dir, err := os.MkdirTemp("", "plumbline-charts-")
		if err != nil {
			cache.err = err
			return
		}
		cache.dir = dir
		for key, name := range cachedCharts {
			src := filepath.Join("charts", name)
			data, err := os.ReadFile(filepath.Join(src, "Chart.yaml"))
			if err != nil {
				cache.err = err
				return
			}
			version := ""
			for _, l := range strings.Split(string(data), "\n") {
				if v, ok := strings.CutPrefix(l, "version: "); ok {
					version = strings.TrimSpace(v)
				}
			}
			files := map[string]string{}
			cache.err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || strings.HasSuffix(p, ".source") {
					return err
				}
				data, err := os.ReadFile(p)
				rel, _ := filepath.Rel(src, p)
				files[filepath.ToSlash(rel)] = string(data)
				return err
			})
			if cache.err != nil {
				return
			}
			testfs.PackChart(t, filepath.Join(dir, key, name+"-"+version+".tgz"), name, files)
		}
	})
	if cache.err != nil {
		t.Fatal(cache.err)
	}
	return cache.dir
}

func withCache(t *testing.T, args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == chartCacheArg {
			a = "--chart-cache=" + corpusCache(t)
		}
		out[i] = a
	}
	return out
}

// TestCorpusHelm renders the charts the corpus repositories deploy
// (their own, and those the cache holds) and compares each release with
// `helm template` given the same chart, values and flags: the same bytes.
func TestCorpusHelm(t *testing.T) {
	bin := need.Tool(t, "helm", "v4.3.2")
	cacheDir := corpusCache(t)
	root, _ := filepath.Abs("repos")
	entries, _ := os.ReadDir(root)
	rendered := 0
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		res, err := kustomize.Render(context.Background(), kustomize.Options{Root: dir, Helm: &kustomize.HelmOptions{Cache: cacheDir}})
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		for _, b := range res.Builds {
			if b.Helm == nil {
				continue
			}
			if b.Err != nil {
				t.Logf("%s %s: %v", e.Name(), b.Dir, b.Err)
				continue
			}
			rendered++
			opt := b.Helm.Options()
			chart := filepath.Join(dir, b.Helm.ChartDir())
			if b.Helm.ChartDir() == "" {
				repo, name, version := b.Helm.Chart()
				chart = filepath.Join(cacheDir, strings.TrimPrefix(strings.TrimPrefix(strings.TrimSuffix(repo, "/"), "https://"), "oci://"), name+"-"+version+".tgz")
			}
			args := []string{"template", chart, "--name-template", opt.ReleaseName, "--namespace", opt.Namespace}
			if opt.KubeVersion != "" {
				args = append(args, "--kube-version", opt.KubeVersion)
			}
			if opt.IncludeCRDs {
				args = append(args, "--include-crds")
			}
			if opt.SkipTests {
				args = append(args, "--skip-tests")
			}
			for i, f := range opt.Values.Files {
				p := filepath.Join(t.TempDir(), "values", string(rune('a'+i))+".yaml")
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
				args = append(args, "-f", p)
			}
			for _, s := range opt.Values.Set {
				args = append(args, "--set", s)
			}
			for _, s := range opt.Values.SetString {
				args = append(args, "--set-string", s)
			}
			cmd := exec.Command(bin, args...)
			home := t.TempDir()
			cmd.Env = []string{"HOME=" + home, "HELM_CACHE_HOME=" + home, "HELM_CONFIG_HOME=" + home, "HELM_DATA_HOME=" + home}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			want, err := cmd.Output()
			if err != nil {
				t.Errorf("%s %s: helm template refused what we rendered: %v %s", e.Name(), b.Dir, err, stderr.String())
				continue
			}
			if d := cmp.Diff(string(want), string(b.YAML)); d != "" {
				t.Errorf("%s %s differs from helm template (-cli +ours):\n%s", e.Name(), b.Dir, d)
			}
		}
	}
	if rendered < 2 {
		t.Errorf("%d releases rendered in the corpus, want at least the Flux example's two", rendered)
	}
	t.Logf("%d releases rendered, each as helm template renders it", rendered)
}

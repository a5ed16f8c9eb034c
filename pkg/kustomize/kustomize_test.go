package kustomize

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/pkg/report"
)

// unpack writes a corpus archive into a fresh directory.
func unpack(t *testing.T, name string) string {
	t.Helper()
	a, err := txtar.ParseFile(filepath.Join("testdata", "corpus", name+".txtar"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range a.Files {
		p := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestMatchesKustomizeCLI renders every corpus repository and compares each
// build with `kustomize build` of the same directory: the same YAML, byte
// for byte, or both refusing. It also checks which directories are entry
// points.
func TestMatchesKustomizeCLI(t *testing.T) {
	bin := need.Tool(t, "kustomize", "v5.8.2") // the CLI of the API release we render with
	tests := []struct {
		archive string
		entries []string
	}{
		{"overlays", []string{"overlays/dev", "overlays/prod"}},
		{"patches", []string{"app"}},
		{"generators", []string{"app"}},
		{"multidoc", []string{"."}},
		{"replacements", []string{"."}},
		{"names", []string{"app"}},
		{"images", []string{"app"}},
		{"errors", []string{"badyaml", "dup", "dupkey", "missing", "nomatch", "outside"}},
	}
	tests = append(tests, struct {
		archive string
		entries []string
	}{"../../examples/homelab", []string{"kubernetes/overlays/dev", "kubernetes/overlays/prod"}})
	for _, tt := range tests {
		t.Run(filepath.Base(tt.archive), func(t *testing.T) {
			root := tt.archive
			if !strings.Contains(root, "/") {
				root = unpack(t, tt.archive)
			}
			res, err := Render(context.Background(), Options{Root: root})
			if err != nil {
				t.Fatal(err)
			}
			var dirs []string
			for _, b := range res.Builds {
				dirs = append(dirs, b.Dir)
				cmd := exec.Command(bin, "build", b.Dir)
				cmd.Dir = root
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				want, cliErr := cmd.Output()
				switch {
				case cliErr != nil && b.Err == nil:
					t.Errorf("%s: kustomize refused it (%s), we rendered it", b.Dir, strings.TrimSpace(stderr.String()))
				case cliErr == nil && b.Err != nil:
					t.Errorf("%s: kustomize built it, we refused: %v", b.Dir, b.Err)
				case cliErr == nil:
					if diff := cmp.Diff(string(want), string(b.YAML)); diff != "" {
						t.Errorf("%s: output differs from kustomize build (-cli +ours):\n%s", b.Dir, diff)
					}
					if len(b.Objects) != bytes.Count(want, []byte("\n---\n"))+1 {
						t.Errorf("%s: %d objects for %d documents", b.Dir, len(b.Objects), bytes.Count(want, []byte("\n---\n"))+1)
					}
				}
			}
			if diff := cmp.Diff(tt.entries, dirs); diff != "" {
				t.Errorf("entry points (-want +got):\n%s", diff)
			}
		})
	}
}

// TestErrorsAtTheirLine: a build error names the kustomization and the
// line of the entry kustomize complained about.
func TestErrorsAtTheirLine(t *testing.T) {
	root := unpack(t, "errors")
	res, err := Render(context.Background(), Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"badyaml": "badyaml/kustomization.yaml:1",
		"dup":     "dup/kustomization.yaml:2",
		"dupkey":  "dupkey/a.yaml:5",
		"missing": "missing/kustomization.yaml:3",
		"nomatch": "nomatch/kustomization.yaml:4",
		"outside": "outside/kustomization.yaml:2",
	}
	got := map[string]string{}
	for _, b := range res.Builds {
		var ie *report.InputError
		if !errors.As(b.Err, &ie) {
			t.Fatalf("%s: %v is not an InputError", b.Dir, b.Err)
		}
		got[b.Dir] = fmt.Sprintf("%s:%d", ie.File, ie.Line)
		if strings.Contains(ie.Msg, root) {
			t.Errorf("%s: message names the temporary root: %s", b.Dir, ie.Msg)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestLocate: each field of a rendered object points at the file and line
// that wrote it: the resource file, the patch (file, inline, JSON 6902)
// or images entry that changed it, the generator that made the object.
func TestLocate(t *testing.T) {
	c := []any{"spec", "template", "spec", "containers"}
	at := func(p ...any) []any { return append(append([]any{}, c...), p...) }
	tests := []struct {
		archive, dir, id string
		path             []any
		want             string
	}{
		{"overlays", "overlays/dev", "Deployment/dev-grafana-x", at(0, "image"), "overlays/dev/kustomization.yaml:11"},
		{"overlays", "overlays/dev", "Deployment/dev-grafana-x", at(1, "image"), "overlays/dev/kustomization.yaml:13"},
		{"overlays", "overlays/dev", "Deployment/dev-grafana-x", at(1, "name"), "base/deployment.yaml:14"},
		{"overlays", "overlays/prod", "Deployment/grafana", at(0, "image"), "overlays/prod/kustomization.yaml:10"},
		{"overlays", "overlays/prod", "Service/grafana", []any{"spec", "ports", 0, "port"}, "base/service.yaml:7"},
		{"overlays", "overlays/prod", "Service/grafana", []any{"metadata", "labels", "env"}, "base/service.yaml:3"},
		{"patches", "app", "Deployment/web", at(0, "resources", "limits", "memory"), "app/limits.yaml:12"},
		{"patches", "app", "Deployment/web", at(0, "env", 0, "value"), "app/kustomization.yaml:17"},
		{"patches", "app", "Deployment/web", at(0, "image"), "app/ops.yaml:3"},
		{"patches", "app", "Deployment/web", at(0, "args"), "app/kustomization.yaml:25"},
		{"patches", "app", "Deployment/web", []any{"spec", "replicas"}, "app/legacy.yaml:6"},
		{"patches", "app", "Deployment/web", at(0, "ports", 0, "containerPort"), "app/deployment.yaml:20"},
		{"generators", "app", "Deployment/api", at(0, "image"), "components/metrics/sidecar.yaml:10"},
		{"generators", "app", "Deployment/api", at(1, "image"), "app/deployment.yaml:16"},
		{"generators", "app", "ConfigMap/settings-*", []any{"data"}, "app/kustomization.yaml:6"},
		{"generators", "app", "Secret/creds-*", []any{"data"}, "app/kustomization.yaml:14"},
		{"multidoc", ".", "Issuer/prod", []any{"spec", "email"}, "issuers.yaml:14"},
	}
	roots := map[string]*Result{}
	dirs := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.archive+"/"+tt.id+"/"+fmt.Sprint(tt.path...), func(t *testing.T) {
			res := roots[tt.archive]
			if res == nil {
				dirs[tt.archive] = unpack(t, tt.archive)
				var err error
				if res, err = Render(context.Background(), Options{Root: dirs[tt.archive]}); err != nil {
					t.Fatal(err)
				}
				roots[tt.archive] = res
			}
			o := find(t, res, tt.dir, tt.id)
			file, line := o.Locate(tt.path)
			if got := fmt.Sprintf("%s:%d", file, line); got != tt.want {
				t.Errorf("Locate(%v) = %s, want %s", tt.path, got, tt.want)
			}
		})
	}
}

func find(t *testing.T, res *Result, dir, id string) *Object {
	t.Helper()
	for _, b := range res.Builds {
		if b.Dir != dir {
			continue
		}
		if b.Err != nil {
			t.Fatalf("%s: %v", dir, b.Err)
		}
		for _, o := range b.Objects {
			if o.ID() == id || strings.HasSuffix(id, "*") && strings.HasPrefix(o.ID(), strings.TrimSuffix(id, "*")) {
				return o
			}
		}
	}
	t.Fatalf("%s: no %s", dir, id)
	return nil
}

// TestOffline: remote bases, HTTP resources and Helm charts are errors at
// their lines, and nothing is fetched: a git on PATH that records being
// run is never run, an HTTP server named as a resource is never asked.
func TestOffline(t *testing.T) {
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		fmt.Fprintln(w, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fetched}")
	}))
	defer srv.Close()
	bin := t.TempDir()
	marker := filepath.Join(bin, "git-ran")
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte("#!/bin/sh\ntouch "+marker+"\nsleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	root := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("git/kustomization.yaml", "resources:\n  - github.com/example/infra//base?ref=v1\n  - git@git.home.arpa:homelab/infra.git\n")
	write("http/kustomization.yaml", "resources:\n  - cm.yaml\npatches:\n  - path: "+srv.URL+"/patch.yaml\n")
	write("http/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	write("http2/kustomization.yaml", "resources:\n  - "+srv.URL+"/cm.yaml\n")
	write("helm/kustomization.yaml", "helmCharts:\n  - name: grafana\n    repo: https://grafana.github.io/helm-charts\n")
	write("deep/kustomization.yaml", "resources:\n  - ../git\n")
	// Issue 30: builtin plugins configured inline, or in a file the
	// kustomization names, read their files through kustomize's loader,
	// which fetches a URL itself.
	write("gen/kustomization.yaml", "generators:\n  - apiVersion: builtin\n    kind: ConfigMapGenerator\n    metadata: {name: leak}\n    files:\n      - k="+srv.URL+"/gen\n")
	write("ptr/kustomization.yaml", "resources:\n  - cm.yaml\ntransformers:\n  - apiVersion: builtin\n    kind: PatchTransformer\n    metadata: {name: p}\n    path: "+srv.URL+"/patch.yaml\n")
	write("ptr/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	write("file/kustomization.yaml", "generators:\n  - gen.yaml\n")
	write("file/gen.yaml", "apiVersion: builtin\nkind: SecretGenerator\nmetadata: {name: s}\nenvs:\n  - "+srv.URL+"/env\n")
	write("repl/kustomization.yaml", "resources:\n  - cm.yaml\nreplacements:\n  - path: "+srv.URL+"/r.yaml\n")
	write("repl/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	write("cmgen/kustomization.yaml", "configMapGenerator:\n  - name: c\n    files:\n      - k="+srv.URL+"/f\n    literals:\n      - url=https://example.com/ok\n")

	start := time.Now()
	res, err := Render(context.Background(), Options{Root: root, Dirs: []string{"deep", "git", "http", "http2", "helm", "gen", "ptr", "file", "repl", "cmgen"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, b := range res.Builds {
		for _, e := range flatten(b.Err) {
			var ie *report.InputError
			if !errors.As(e, &ie) {
				t.Fatalf("%s: %v", b.Dir, e)
			}
			got[b.Dir] = append(got[b.Dir], fmt.Sprintf("%s:%d", ie.File, ie.Line))
		}
	}
	want := map[string][]string{
		"deep":  {"git/kustomization.yaml:2", "git/kustomization.yaml:3"},
		"git":   {"git/kustomization.yaml:2", "git/kustomization.yaml:3"},
		"http":  {"http/kustomization.yaml:4"},
		"http2": {"http2/kustomization.yaml:2"},
		"helm":  {"helm/kustomization.yaml:1"},
		"gen":   {"gen/kustomization.yaml:6"},
		"ptr":   {"ptr/kustomization.yaml:7"},
		"file":  {"file/gen.yaml:5"},
		"repl":  {"repl/kustomization.yaml:4"},
		"cmgen": {"cmgen/kustomization.yaml:4"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("git was run")
	}
	if n := asked.Load(); n > 0 {
		t.Errorf("the HTTP server was asked %d times", n)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}

// TestSymlinkOut: a resource that is a symlink out of the repository is
// not read: the build fails as if the file were not there.
func TestSymlinkOut(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.yaml")
	if err := os.WriteFile(outside, []byte("apiVersion: v1\nkind: Secret\nmetadata: {name: stolen}\nstringData: {k: SECRETVALUE}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "kustomization.yaml"), []byte("resources:\n  - secret.yaml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "secret.yaml")); err != nil {
		t.Fatal(err)
	}
	res, err := Render(context.Background(), Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Builds[0]
	if b.Err == nil || len(b.Objects) > 0 {
		t.Fatalf("rendered %d objects from a symlink out of the tree (err %v)", len(b.Objects), b.Err)
	}
	if strings.Contains(b.Err.Error(), "SECRETVALUE") {
		t.Errorf("the message holds the file's content: %v", b.Err)
	}
}

// TestOutputBudget: overlays that multiply a large base are rendered up to
// MaxOutput in all; past it each is an error, not more memory.
func TestOutputBudget(t *testing.T) {
	defer func(old int) { MaxOutput = old }(MaxOutput)
	MaxOutput = 4 << 20
	root := t.TempDir()
	big := strings.Repeat("x", 1<<20)
	write := func(p, s string) {
		t.Helper()
		os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755)
		if err := os.WriteFile(filepath.Join(root, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("base/kustomization.yaml", "configMapGenerator:\n  - name: blob\n    files: [blob.txt]\n")
	write("base/blob.txt", big)
	n := MaxOutput/(1<<20) + 3
	for i := range n {
		write(fmt.Sprintf("o%02d/kustomization.yaml", i), fmt.Sprintf("namePrefix: o%d-\nresources: [../base]\n", i))
	}
	res, err := Render(context.Background(), Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	built, refused := 0, 0
	for _, b := range res.Builds {
		if b.Err != nil {
			refused++
			if !strings.Contains(b.Err.Error(), "MiB") {
				t.Errorf("%s: %v", b.Dir, b.Err)
			}
			continue
		}
		built++
	}
	if built == 0 || refused < 2 || built+refused != n {
		t.Errorf("%d built, %d refused of %d", built, refused, n)
	}
}

// TestImagesRegex: an images entry that is a regular expression and
// changed an image is not reported as matching nothing; a misspelt one is.
func TestImagesRegex(t *testing.T) {
	res, err := Render(context.Background(), Options{Root: unpack(t, "images")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range res.Builds {
		for _, u := range b.Unused {
			got = append(got, fmt.Sprintf("%s:%d %s", u.File, u.Line, u.Msg))
		}
	}
	want := []string{"app/kustomization.yaml:7 images entry ngnix matches no container image: it changes nothing"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/internal/testfs"
	"github.com/plumbline/plumbline/pkg/helm"
)

// TestFetchCharts: an Application's chart that the cache lacks is fetched
// only with --fetch-charts and only from a repository the allowlist
// names (the base branch's, for a pull request), then checked as any
// other; the repository is made by `helm package` and `helm repo index`.
func TestFetchCharts(t *testing.T) {
	bin := need.Tool(t, "helm", "v4.3.2")
	src := t.TempDir()
	testfs.Write(t, src, "web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.2.3\n")
	testfs.Write(t, src, "web/values.yaml", "privileged: false\n")
	testfs.Write(t, src, "web/templates/deploy.yaml", `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000
          securityContext:
            privileged: {{ .Values.privileged }}
`)
	served := t.TempDir()
	home := t.TempDir()
	for _, args := range [][]string{{"package", filepath.Join(src, "web"), "-d", served}, {"repo", "index", served}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{"HOME=" + home, "HELM_CACHE_HOME=" + home, "HELM_CONFIG_HOME=" + home, "HELM_DATA_HOME=" + home}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("helm %v: %v %s", args, err, out)
		}
	}
	var hits atomic.Int32
	files := http.FileServer(http.Dir(served))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()

	repo := t.TempDir()
	testfs.Write(t, repo, "argocd/web.yaml", `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web, namespace: argocd}
spec:
  project: default
  destination: {server: https://kubernetes.default.svc, namespace: web}
  source:
    repoURL: `+srv.URL+`
    chart: web
    targetRevision: 1.2.3
    helm:
      valuesObject:
        privileged: true
`)
	base := t.TempDir()
	baseConfig := filepath.Join(base, ".plumbline.yaml")
	testfs.Write(t, base, ".plumbline.yaml", "version: 1\npolicy:\n  chartRepos: [https://charts.example.org]\n")
	data, _ := os.ReadFile(baseConfig)
	sum := sha256.Sum256(data)
	cache := t.TempDir()

	run := func(args ...string) []string {
		t.Helper()
		r, _, err := clitest.RunCheck(t, &Check{}, repo, append([]string{"--chart-cache", cache, "--secrets=false", "--addresses=false"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range r.Findings {
			if strings.Contains(f.Rule, "privileged") || strings.HasPrefix(f.Rule, "policy/") {
				msg := f.Message
				for _, cut := range []string{" (", "; "} {
					if i := strings.Index(msg, cut); i >= 0 {
						msg = msg[:i]
					}
				}
				got = append(got, f.Location()+" "+f.Rule+" "+msg)
			}
		}
		return got
	}
	notRendered := "argocd/web.yaml:7 policy/not-rendered Application argocd/web: chart web 1.2.3 of " + srv.URL + " is not in the chart cache, so it is not rendered offline"
	for _, tc := range []struct {
		name string
		args []string
		want []string
		hits bool
	}{
		{"offline", nil, []string{notRendered}, false},
		{"not allowed", []string{"--fetch-charts", "--chart-repo", "https://charts.example.org"},
			[]string{notRendered}, false},
		{"the base branch's allowlist, not the pull request's", []string{"--fetch-charts", "--chart-repo", srv.URL,
			"--base-config", baseConfig, "--base-config-sha256", hex.EncodeToString(sum[:])},
			[]string{".plumbline.yaml policy/helm-error the pull request's policy.chartRepos differ from the base branch's, which this run uses: a pull request cannot choose where the check connects to or what is production", notRendered}, false},
		{"a rewritten base config fetches nothing", []string{"--fetch-charts", "--chart-repo", srv.URL,
			"--base-config", baseConfig, "--base-config-sha256", strings.Repeat("0", 64)},
			[]string{notRendered}, false},
		{"allowed", []string{"--fetch-charts", "--chart-repo", srv.URL},
			[]string{"argocd/web.yaml:13 homelab.kubernetes/deny_privileged Application argocd/web: Deployment/web: container web is privileged"}, true},
		{"kept in the cache", nil,
			[]string{"argocd/web.yaml:13 homelab.kubernetes/deny_privileged Application argocd/web: Deployment/web: container web is privileged"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits.Store(0)
			if d := cmp.Diff(tc.want, run(tc.args...)); d != "" {
				t.Errorf("findings (-want +got):\n%s", d)
			}
			if got := hits.Load() > 0; got != tc.hits {
				t.Errorf("the chart repository was asked %d times", hits.Load())
			}
		})
	}
	if _, v, err := helm.Cache(cache).Find(srv.URL, "web", "1.2.3"); err != nil || v != "1.2.3" {
		t.Errorf("not kept: %v", err)
	}
}

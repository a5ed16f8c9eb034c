package kustomize

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/internal/testfs"
	"github.com/plumbline/plumbline/pkg/report"
)

// webChart is a small chart: a Deployment whose replicas, image and
// privileged flag come from values, and a test hook.
func webChart(version string) map[string]string {
	return map[string]string{
		"Chart.yaml":       "apiVersion: v2\nname: web\nversion: " + version + "\n",
		"values.yaml":      "image:\n  repository: nginx\n  tag: \"1.27\"\nreplicas: 1\nprivileged: false\n",
		"values-prod.yaml": "replicas: 2\n",
		"templates/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
spec:
  replicas: {{ .Values.replicas }}
  template:
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          securityContext:
            privileged: {{ .Values.privileged }}
`,
		"templates/test.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-test\n  annotations:\n    helm.sh/hook: test\nspec:\n  containers:\n    - name: t\n      image: busybox:1.36\n",
	}
}

func chartIn(t *testing.T, repo, dir string, files map[string]string) {
	t.Helper()
	for n, text := range files {
		testfs.Write(t, repo, filepath.Join(dir, n), text)
	}
}

const ourURL = "https://git.example.com/me/homelab.git"

func TestHelmReleases(t *testing.T) {
	cache := t.TempDir()
	testfs.PackChart(t, filepath.Join(cache, "charts.example.com", "web-1.2.3.tgz"), "web", webChart("1.2.3"))
	testfs.PackChart(t, filepath.Join(cache, "charts.example.com", "web-1.3.0.tgz"), "web", webChart("1.3.0"))
	testfs.PackChart(t, filepath.Join(cache, "charts.example.com", "web-2.0.0.tgz"), "web", webChart("2.0.0"))
	testfs.PackChart(t, filepath.Join(cache, "ghcr.io", "example", "charts", "web-1.2.3.tgz"), "web", webChart("1.2.3"))
	type place struct {
		path []any
		file string
		line int
	}
	tests := []struct {
		name    string
		files   map[string]string
		chart   string // a dir to write webChart to
		label   string
		objects []string
		at      []place
		err     string
	}{
		{
			name:  "ArgoCD path source: valueFiles, valuesObject, parameters",
			chart: "charts/web",
			files: map[string]string{"apps/web.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
spec:
  destination:
    namespace: apps
  source:
    repoURL: https://git.example.com/me/homelab
    path: charts/web
    helm:
      valueFiles: [values-prod.yaml]
      valuesObject:
        image:
          tag: "1.28"
      parameters:
        - name: privileged
          value: "true"
`},
			label:   "Application argocd/web",
			objects: []string{"Deployment apps/web"},
			at: []place{
				{[]any{"spec", "replicas"}, "charts/web/values-prod.yaml", 1},
				{[]any{"spec", "template", "spec", "containers", 0, "image"}, "apps/web.yaml", 16},
				{[]any{"spec", "template", "spec", "containers", 0, "securityContext", "privileged"}, "apps/web.yaml", 19},
				// Set by the chart's template: the source, never the chart.
				{[]any{"metadata", "name"}, "apps/web.yaml", 9},
			},
		},
		{
			name: "ArgoCD chart from a repository, values from a $ref source",
			files: map[string]string{"values/web.yaml": "replicas: 5\n", "apps/web.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web, namespace: argocd}
spec:
  destination: {namespace: web}
  sources:
    - repoURL: https://charts.example.com
      chart: web
      targetRevision: 1.2.*
      helm:
        releaseName: site
        valueFiles: [values-prod.yaml, $values/values/web.yaml]
    - repoURL: git@git.example.com:me/homelab.git
      ref: values
`},
			label:   "Application argocd/web",
			objects: []string{"Deployment web/site"},
			at:      []place{{[]any{"spec", "replicas"}, "values/web.yaml", 1}},
		},
		{
			name: "Flux HelmRelease from a HelmRepository, a version range",
			files: map[string]string{"flux/web.yaml": `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: example, namespace: flux-system}
spec:
  url: https://charts.example.com/
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: web, namespace: apps}
spec:
  chart:
    spec:
      chart: web
      version: 1.x
      sourceRef: {kind: HelmRepository, name: example, namespace: flux-system}
  values:
    replicas: 3
`},
			label:   "HelmRelease apps/web",
			objects: []string{"Deployment apps/web"},
			at:      []place{{[]any{"spec", "replicas"}, "flux/web.yaml", 17}},
		},
		{
			name: "Flux chartRef to an OCIRepository, a target namespace",
			files: map[string]string{"flux/web.yaml": `apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: web}
spec:
  url: oci://ghcr.io/example/charts/web
  ref: {tag: 1.2.3}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: web, namespace: flux-system}
spec:
  targetNamespace: media
  chartRef: {kind: OCIRepository, name: web}
`},
			label:   "HelmRelease flux-system/web",
			objects: []string{"Deployment media/media-web"},
		},
		{
			name:  "Flux chart from a GitRepository of this repository",
			chart: "charts/web",
			files: map[string]string{"flux/web.yaml": `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec:
  url: ssh://git@git.example.com/me/homelab
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: web, namespace: apps}
spec:
  chart:
    spec:
      chart: ./charts/web
      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
      valuesFiles: [charts/web/values-prod.yaml]
`},
			label:   "HelmRelease apps/web",
			objects: []string{"Deployment apps/web"},
		},
		{
			name: "a chart the cache does not hold",
			files: map[string]string{"apps/web.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web, namespace: argocd}
spec:
  source: {repoURL: "oci://ghcr.io/other", chart: web, targetRevision: 9.9.9}
`},
			label: "Application argocd/web",
			err:   "apps/web.yaml:5: Application argocd/web: chart web 9.9.9 of oci://ghcr.io/other is not in the chart cache, so it is not rendered offline; add it with `helm pull oci://ghcr.io/other/web --version 9.9.9 -d " + filepath.Join(cache, "ghcr.io/other") + "`",
		},
		{
			name:  "a chart that fails as helm template fails",
			chart: "charts/web",
			files: map[string]string{"apps/web.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web, namespace: argocd}
spec:
  source:
    repoURL: https://git.example.com/me/homelab
    path: charts/web
    helm:
      values: |
        replicas: {{
`},
			label: "Application argocd/web",
			err:   "apps/web.yaml:5: Application argocd/web: failed to parse apps/web.yaml (values)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo := t.TempDir()
			testfs.WriteAll(t, repo, tc.files)
			if tc.chart != "" {
				chartIn(t, repo, tc.chart, webChart("1.0.0"))
			}
			res, err := Render(context.Background(), Options{Root: repo, Helm: &HelmOptions{Cache: cache, RepoURLs: []string{ourURL}}})
			if err != nil {
				t.Fatal(err)
			}
			var b *Build
			for _, x := range res.Builds {
				if x.Helm != nil {
					b = x
				}
			}
			if b == nil {
				t.Fatalf("no release rendered: %+v", res.Builds)
			}
			if b.Dir != tc.label {
				t.Errorf("label %q, want %q", b.Dir, tc.label)
			}
			if tc.err != "" {
				var ie *report.InputError
				if !errors.As(b.Err, &ie) || !strings.HasPrefix(ie.Error(), tc.err) {
					t.Fatalf("error %v, want %q", b.Err, tc.err)
				}
				return
			}
			if b.Err != nil {
				t.Fatal(b.Err)
			}
			var got []string
			for _, o := range b.Objects {
				got = append(got, o.Kind+" "+o.Namespace+"/"+o.Name)
			}
			if d := cmp.Diff(tc.objects, got); d != "" {
				t.Errorf("objects (-want +got):\n%s", d)
			}
			for _, p := range tc.at {
				file, line := b.Objects[0].Locate(p.path)
				if file != p.file || line != p.line {
					t.Errorf("%v at %s:%d, want %s:%d", p.path, file, line, p.file, p.line)
				}
			}
		})
	}
}

// TestHelmDependencies: a chart's dependencies charts/ lacks come from
// the repository (file://) and the cache, as helm dependency build
// would vendor them.
func TestHelmDependencies(t *testing.T) {
	cache := t.TempDir()
	testfs.PackChart(t, filepath.Join(cache, "charts.example.com", "web-1.2.3.tgz"), "web", webChart("1.2.3"))
	repo := t.TempDir()
	lib := webChart("0.1.0")
	lib["Chart.yaml"] = "apiVersion: v2\nname: lib\nversion: 0.1.0\n"
	chartIn(t, repo, "charts/lib", lib)
	testfs.WriteAll(t, repo, map[string]string{
		"charts/site/Chart.yaml":  "apiVersion: v2\nname: site\nversion: 0.1.0\ndependencies:\n  - name: web\n    version: 1.2.3\n    repository: https://charts.example.com\n  - name: lib\n    version: 0.1.0\n    repository: file://../lib\n",
		"charts/site/values.yaml": "web:\n  replicas: 4\n",
		"apps/site.yaml":          "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: site, namespace: argocd}\nspec:\n  source: {repoURL: " + ourURL + ", path: charts/site}\n",
	})
	res, err := Render(context.Background(), Options{Root: repo, Helm: &HelmOptions{Cache: cache, RepoURLs: []string{ourURL}}})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Builds[len(res.Builds)-1]
	if b.Err != nil {
		t.Fatal(b.Err)
	}
	var got []string
	for _, o := range b.Objects {
		got = append(got, o.Kind+"/"+o.Name)
	}
	if d := cmp.Diff([]string{"Deployment/site", "Deployment/site"}, got); d != "" {
		t.Errorf("objects (-want +got):\n%s", d)
	}
	if !res.Charts["charts/site"] {
		t.Errorf("charts rendered: %v", res.Charts)
	}
}

// TestHelmCharts: a kustomization's helmCharts entry with its chart under
// chartHome renders as `kustomize build --enable-helm` renders it (the
// CLI with the helm CLI of the same release), and a finding on a value
// points at valuesInline.
func TestHelmCharts(t *testing.T) {
	kbin := need.Tool(t, "kustomize", "v5.8.2")
	hbin := need.Tool(t, "helm", "v4.3.2")
	repo := t.TempDir()
	chartIn(t, repo, "apps/web/charts/web", webChart("1.0.0"))
	testfs.WriteAll(t, repo, map[string]string{
		"apps/web/kustomization.yaml": `namespace: web
commonLabels: {team: home}
resources: [extra.yaml]
helmCharts:
  - name: web
    releaseName: site
    namespace: web
    valuesInline:
      replicas: 4
      privileged: true
`,
		"apps/web/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {a: b}\n",
	})
	res, err := Render(context.Background(), Options{Root: repo, Helm: &HelmOptions{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Builds) != 1 || res.Builds[0].Err != nil {
		t.Fatalf("builds: %+v", res.Builds)
	}
	b := res.Builds[0]
	cmd := exec.Command(kbin, "build", "--enable-helm", "--helm-command", hbin, filepath.Join(repo, "apps/web"))
	home := t.TempDir()
	cmd.Env = []string{"HOME=" + home, "HELM_CACHE_HOME=" + home, "HELM_CONFIG_HOME=" + home, "HELM_DATA_HOME=" + home, "PATH=" + os.Getenv("PATH")}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	want, err := cmd.Output()
	if err != nil {
		t.Fatalf("kustomize build --enable-helm: %v %s", err, stderr.String())
	}
	if d := cmp.Diff(string(want), string(b.YAML)); d != "" {
		t.Errorf("differs from kustomize build --enable-helm (-cli +ours):\n%s", d)
	}
	for _, o := range b.Objects {
		if o.Kind != "Deployment" {
			continue
		}
		for _, c := range []struct {
			p    []any
			line int
		}{{[]any{"spec", "template", "spec", "containers", 0, "securityContext", "privileged"}, 10}, {[]any{"metadata", "name"}, 5}} {
			if file, line := o.Locate(c.p); file != "apps/web/kustomization.yaml" || line != c.line {
				t.Errorf("%v at %s:%d, want apps/web/kustomization.yaml:%d", c.p, file, line, c.line)
			}
		}
	}
	if !res.Charts["apps/web/charts/web"] {
		t.Errorf("charts %v", res.Charts)
	}
}

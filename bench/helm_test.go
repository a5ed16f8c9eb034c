package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/plumbline/plumbline/internal/gotool"
)

// helmCharts are the corpus charts the benchmark deploys, one ArgoCD
// Application each.
var helmCharts = []string{"grafana", "uptime-kuma", "metallb", "external-dns", "ingress-nginx", "kube-state-metrics",
	"prometheus-node-exporter", "reloader", "sealed-secrets", "metrics-server"}

// BenchmarkPlumblineDiff: plumbline diff HEAD on a repository whose ten
// ArgoCD Applications deploy ten real charts of test/corpus/charts (each
// side rendered whole: twenty charts, kustomize and the diff included),
// against the helm CLI rendering the same twenty (`helm template` twice per
// chart, the work alone, no diff). Interleaved in one loop. argocd-diff-
// preview, the tool that shows this today, first starts a real ArgoCD
// (60-90 s by its documentation); that cannot run here.
func BenchmarkPlumblineDiff(b *testing.B) {
	helm, err := filepath.Abs("../build/tools/helm")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(helm); err != nil {
		b.Skip("needs build/tools/helm (make tools)")
	}
	bin := filepath.Join(b.TempDir(), "plumbline")
	if err := gotool.Build(bin, "../cmd/plumbline"); err != nil {
		b.Fatal(err)
	}
	repo := b.TempDir()
	run := func(dir, name string, args ...string) {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	if err := os.MkdirAll(filepath.Join(repo, "charts"), 0o755); err != nil {
		b.Fatal(err)
	}
	for _, c := range helmCharts {
		run(".", "cp", "-r", filepath.Join("..", "test", "corpus", "charts", c), filepath.Join(repo, "charts", c))
		app := fmt.Sprintf("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: %s, namespace: argocd}\n"+
			"spec:\n  destination: {namespace: %s}\n  source: {repoURL: https://git.home.arpa/homelab/infra.git, path: charts/%s}\n", c, c, c)
		if err := os.MkdirAll(filepath.Join(repo, "apps"), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, "apps", c+".yaml"), []byte(app), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	run(repo, "git", "init", "-q")
	run(repo, "git", "remote", "add", "origin", "https://git.home.arpa/homelab/infra.git")
	run(repo, "git", "add", "-A")
	run(repo, "git", "-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-qm", "charts")
	home := b.TempDir()
	var ours, cli time.Duration
	for b.Loop() {
		start := time.Now()
		run(repo, bin, "diff", "HEAD", "--format", "json")
		ours += time.Since(start)
		start = time.Now()
		for range 2 {
			for _, c := range helmCharts {
				cmd := exec.Command(helm, "template", c, filepath.Join(repo, "charts", c), "--namespace", c, "--include-crds")
				cmd.Env = []string{"HOME=" + home, "HELM_CACHE_HOME=" + home, "HELM_CONFIG_HOME=" + home, "HELM_DATA_HOME=" + home}
				_ = cmd.Run() // a chart whose defaults fail its schema fails both ways
			}
		}
		cli += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(ours.Seconds()/n, "diff-s/op")
	b.ReportMetric(cli.Seconds()/n, "helm-template-s/op")
	b.ReportMetric(cli.Seconds()/ours.Seconds(), "helm/diff")
	b.ReportMetric(60/(ours.Seconds()/n), "argocd-start-60s/diff")
}

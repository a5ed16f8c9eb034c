package delta

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/pkg/report"
)

func obj(group, kind, name string, spec map[string]any) Object {
	return Object{Group: group, Value: map[string]any{"apiVersion": "apps/v1", "kind": kind,
		"metadata": map[string]any{"name": name, "namespace": "apps"}, "spec": spec}}
}

func TestCompare(t *testing.T) {
	sel := func(app string) map[string]any {
		return map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"app": app}}, "replicas": 1}
	}
	base := Side{Objects: []Object{
		obj("overlays/prod", "Deployment", "web", sel("web")),
		obj("overlays/prod", "StatefulSet", "db", map[string]any{"serviceName": "db"}),
		obj("overlays/dev", "Deployment", "web", sel("web")),
		obj("broken", "Deployment", "x", nil),
	}}
	moved := sel("site")
	head := Side{Objects: []Object{
		obj("overlays/prod", "Deployment", "web", moved),
		obj("overlays/dev", "Deployment", "web", sel("web")),
		obj("overlays/dev", "Deployment", "api", sel("api")),
	}, Failed: map[string]string{"broken": "kustomize: no such file"}}
	changes, unknown := Compare(base, head)
	var got []string
	for _, c := range changes {
		got = append(got, c.Group+" "+string(c.Op)+" "+c.ID()+" "+strings.Join(c.Immutable, ","))
	}
	want := []string{
		"overlays/dev added Deployment apps/api ",
		"overlays/prod changed Deployment apps/web spec.selector",
		"overlays/prod removed StatefulSet apps/db ",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"broken": "it does not render at the head: kustomize: no such file"}, unknown); d != "" {
		t.Errorf("unknown (-want +got):\n%s", d)
	}
	fs := Findings(changes, unknown, func(g string) (string, int) { return g + "/kustomization.yaml", 0 }, nil)
	sev := map[string]report.Severity{}
	for _, f := range fs {
		if f.Rule != RuleChange {
			sev[f.Rule+" "+f.Message[:strings.IndexByte(f.Message, ':')]] = f.Severity
		}
	}
	if d := cmp.Diff(map[string]report.Severity{
		"k8s/change-immutable overlays/prod": report.Error,
		"k8s/change-unknown broken":          report.Note,
	}, sev); d != "" {
		t.Errorf("safety findings (-want +got):\n%s", d)
	}
}

// TestProduction: which groups policy.production makes production, and
// the default without it.
func TestProduction(t *testing.T) {
	for _, tc := range []struct {
		prod        Production
		group, file string
		want        bool
	}{
		{nil, "k8s/overlays/prod", "k8s/overlays/prod/kustomization.yaml", true},
		{nil, "Application argocd/web (k8s/overlays/production)", "argocd/web.yaml", true},
		{nil, "k8s/overlays/production-like", "", false},
		{nil, "clusters/main/apps", "clusters/main/apps/kustomization.yaml", false},
		{Production{"clusters/main"}, "clusters/main/apps", "clusters/main/apps/kustomization.yaml", true},
		{Production{"clusters/main"}, "k8s/overlays/prod", "k8s/overlays/prod/kustomization.yaml", false},
		{Production{"clusters/*/apps"}, "clusters/home/apps", "", true},
		{Production{"clusters/*/apps"}, "clusters/home/infra", "", false},
		{Production{"./argocd/prod-*.yaml"}, "Application argocd/web", "argocd/prod-web.yaml", true},
		{Production{"argocd/prod"}, "Application argocd/web", "argocd/prodweb.yaml", false},
		{Production{"apps"}, "HelmRelease media/plex (clusters/home/apps)", "clusters/home/apps/plex/release.yaml", false},
		{Production{"clusters/home/apps"}, "HelmRelease media/plex (clusters/home/apps)", "clusters/home/apps/plex/release.yaml", true},
	} {
		if got := tc.prod.Match(tc.group, tc.file); got != tc.want {
			t.Errorf("%q.Match(%q, %q) = %v, want %v", tc.prod, tc.group, tc.file, got, tc.want)
		}
	}
}

func TestMaskSecret(t *testing.T) {
	old := map[string]any{"apiVersion": "v1", "kind": "Secret", "data": map[string]any{"a": "MQ==", "b": "Mg=="}}
	cur := map[string]any{"apiVersion": "v1", "kind": "Secret", "data": map[string]any{"a": "MQ==", "b": "Mw==", "c": "NA=="}}
	mo, mc := maskSecret(old, cur)
	d := unified(mo, mc, "Secret x")
	for _, s := range []string{"MQ==", "Mg==", "Mw==", "NA=="} {
		if strings.Contains(d, s) {
			t.Errorf("diff shows a value %s:\n%s", s, d)
		}
	}
	for _, s := range []string{"+  b: <masked, changed>", "-  b: <masked>", "+  c: <masked>"} {
		if !strings.Contains(d, s) {
			t.Errorf("diff lacks %q:\n%s", s, d)
		}
	}
}

// TestExampleValuesChange: a branch of the bundled example changing one
// value of the prod whoami release, while main has moved on (a second
// release added after the branch left it): the diff against main shows
// that field and nothing else, as the pull request's diff would (from the
// merge base, not main's tip, which would read as the branch removing
// main's release), in well under the 60-90 s a real ArgoCD takes to start.
func TestExampleValuesChange(t *testing.T) {
	repo := t.TempDir()
	if out, err := exec.Command("cp", "-a", "../../examples/homelab/.", repo).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-qm", "base")
	git("checkout", "-qb", "feature")
	app := filepath.Join(repo, "argocd", "whoami.yaml")
	data, err := os.ReadFile(app)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(app, []byte(strings.Replace(string(data), "replicaCount: 2", "replicaCount: 3", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	git("commit", "-qam", "prod whoami: three replicas")
	git("checkout", "-q", "main")
	dev := strings.NewReplacer("whoami-prod", "whoami-dev", "namespace: monitoring", "namespace: dev").Replace(string(data))
	if err := os.WriteFile(filepath.Join(repo, "argocd", "whoami-dev.yaml"), []byte(dev), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", "-A")
	git("commit", "-qm", "a dev whoami")
	git("checkout", "-q", "feature")
	start := time.Now()
	rep, _, err := clitest.RunCheck(t, &Check{}, repo, "--base", "main", "--repo-url", "https://git.home.arpa/homelab/infra.git")
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Rule+" "+f.Location()+" "+f.Message)
		var changed []string
		for _, l := range strings.Split(f.Diff, "\n") {
			if (strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-")) && !strings.HasPrefix(l, "+++") && !strings.HasPrefix(l, "---") {
				changed = append(changed, l)
			}
		}
		if d := cmp.Diff([]string{"-  replicas: 2", "+  replicas: 3"}, changed); d != "" {
			t.Errorf("diff lines (-want +got):\n%s\n%s", d, f.Diff)
		}
	}
	if d := cmp.Diff([]string{"k8s/change argocd/whoami.yaml:17 Application argocd/whoami-prod: changed Deployment whoami-prod"}, got); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
	t.Logf("plumbline diff of the example: %s", took)
	if took > 5*time.Second {
		t.Errorf("took %s, want at most 5 s", took)
	}
}

//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tektoncd/pipeline/pkg/apis/pipeline/pod"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/plumbline/plumbline/internal/bindtest"
	"github.com/plumbline/plumbline/pkg/dnszone"
	"github.com/plumbline/plumbline/pkg/report"
)

// TestConfiguredDNS: a repository whose .plumbline.yaml has two zones, each
// served by two real BIND servers on the bridge (dns2 lost a record),
// run as infra-validation with no DNS params at all: dns-zone-diff makes a
// plan per zone and server, and the servers' disagreement is a
// dns/server-drift finding. Its other parts are not there, and are skipped.
func TestConfiguredDNS(t *testing.T) {
	w := setup(t)
	install(t, w)
	example := filepath.Join(w.root, "examples", "homelab")
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(example, p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	dns1 := bindtest.StartOn(t, w.hostIP,
		bindtest.Zone{Name: "home.arpa", Text: read("dns-live/home.arpa.zone"), Transfer: "tsig"},
		bindtest.Zone{Name: "20.0.10.in-addr.arpa", Text: read("dns-live/20.0.10.in-addr.arpa.zone"), Transfer: "tsig"})
	dns2 := bindtest.StartOn(t, w.hostIP,
		bindtest.Zone{Name: "home.arpa", Text: read("dns-live/dns2/home.arpa.zone"), Transfer: "tsig"},
		bindtest.Zone{Name: "20.0.10.in-addr.arpa", Text: read("dns-live/dns2/20.0.10.in-addr.arpa.zone"), Transfer: "tsig"})
	// The servers the repository's config may send the key to are the
	// operator's to list (allowed-hosts), never the repository's.
	secret := kubectl(t, "", "create", "secret", "generic", "plumbline-dns", "-n", ns,
		"--from-literal=tsig.key="+dns1.Key, "--from-literal=allowed-hosts="+w.hostIP, "--dry-run=client", "-o", "yaml")
	kubectl(t, secret, "apply", "-f", "-")

	repo := t.TempDir()
	run(t, repo, "cp", "-a", filepath.Join(example, "dns"), repo)
	var cfg strings.Builder
	cfg.WriteString("version: 1\npolicy:\n  enabled: false\ndns:\n  zones:\n")
	for _, z := range []string{"home.arpa", "20.0.10.in-addr.arpa"} {
		cfg.WriteString("    - zone: " + z + "\n      desired: dns/" + z + ".zone\n      tsigKeyFile: tsig.key\n      live:\n")
		for _, s := range []*bindtest.Server{dns1, dns2} {
			cfg.WriteString("        - axfr://" + s.Addr + "/" + z + "\n")
		}
	}
	if err := os.WriteFile(filepath.Join(repo, ".plumbline.yaml"), []byte(cfg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	bare := gitRepo(t, repo, filepath.Join(w.state, "git", "dns-only.git"))
	head := run(t, bare, "git", "rev-parse", "main")

	created := w.startSample(t, map[string]string{"repo-url": "git://" + w.hostIP + "/dns-only.git", "dns-live": "", "dns-tsig-key-file": ""})
	// The desired home.arpa has a planted CNAME conflict: dns-zone-diff
	// fails on it; the parts that are not there pass, skipped.
	want := map[string]int32{"fetch-source": 0, "fetch-source-terraform": 0, "terraform-validate": 0, "ansible-lint": 0,
		"policy-check": 0, "dns-zone-diff": 1, "report": 1}
	merged := w.checkInfraRun(t, created.Name, head, want)
	if merged == nil {
		return
	}
	var drift []string
	for _, f := range merged.Findings {
		if f.Rule == dnszone.RuleServerDrift {
			drift = append(drift, f.Message)
		}
	}
	wantDrift := "zone home.arpa.: " + dns2.Addr + " lacks printer.home.arpa. A 10.0.10.40 that " + dns1.Addr + " has"
	if !slices.Contains(drift, wantDrift) || len(drift) != 1 {
		t.Errorf("drift %q, want [%q]", drift, wantDrift)
	}
	statuses := map[string]report.Status{}
	for _, c := range merged.Checks {
		statuses[c.Tool] = c.Status
	}
	if statuses["terraform-validate"] != report.Skipped || statuses["ansible-lint-check"] != report.Skipped ||
		statuses["policy-check"] != report.Skipped || statuses["dns-zone-diff"] != report.Ran {
		t.Errorf("checks %v", statuses)
	}
	// The plan: one per zone and server, on the run's volume.
	var claim string
	trs := w.pipelineTaskRuns(t, created.Name)
	for _, ws := range trs["dns-zone-diff"].Spec.Workspaces {
		if ws.Name == "reports" && ws.PersistentVolumeClaim != nil {
			claim = ws.PersistentVolumeClaim.ClaimName
		}
	}
	data, err := os.ReadFile(filepath.Join(w.claimPath(t, ns, claim), "reports", "dns-zone-diff", "dns-plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var plan struct{ Zones []dnszone.ZonePlan }
	if err := json.Unmarshal(data, &plan); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range plan.Zones {
		got = append(got, p.Zone+" "+p.Live)
	}
	slices.Sort(got)
	var exp []string
	for _, z := range []string{"20.0.10.in-addr.arpa", "home.arpa"} {
		for _, s := range []*bindtest.Server{dns1, dns2} {
			exp = append(exp, z+". axfr://"+s.Addr+"/"+z)
		}
	}
	slices.Sort(exp)
	if !slices.Equal(got, exp) {
		t.Errorf("plans %v, want %v", got, exp)
	}

	// The same repository through plumbline-dns-preview, the preview in one
	// pod: the key reaches the dns-zone-diff step only (isolated
	// workspace), the drift is in the merged report, the plan in results.
	t.Run("one pod", func(t *testing.T) {
		tr := &pipelinev1.TaskRun{
			ObjectMeta: metav1.ObjectMeta{GenerateName: "dns-preview-", Namespace: ns},
			Spec: pipelinev1.TaskRunSpec{
				TaskRef: &pipelinev1.TaskRef{Name: "plumbline-dns-preview"},
				Params: pipelinev1.Params{
					{Name: "repo-url", Value: *pipelinev1.NewStructuredValues("git://" + w.hostIP + "/dns-only.git")},
					{Name: "revision", Value: *pipelinev1.NewStructuredValues(head)},
				},
				PodTemplate: &pod.Template{AutomountServiceAccountToken: ptr.To(false),
					SecurityContext: &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](65532)}},
				Workspaces: []pipelinev1.WorkspaceBinding{{Name: "dns-credentials",
					Secret: &corev1.SecretVolumeSource{SecretName: "plumbline-dns"}}},
			},
		}
		done, cond, res := w.runTaskRun(t, tr)
		// policy-check runs in the fetch's container; its exit is not the step's.
		want := map[string]int32{"fetch": 0, "dns-zone-diff": 1, "report": 1}
		if diff := cmp.Diff(want, stepExits(done)); diff != "" || cond.Reason != "Failed" {
			t.Errorf("%s: %s/%s; step exit codes (-want +got):\n%s\n%s", done.Name, cond.Status, cond.Reason, diff, logs(ns, done))
		}
		if res["status"] != "fail" || res["creates"] == "" {
			t.Errorf("results %v", res)
		}
		log := stepLog(ns, done, "report")
		if !strings.Contains(log, wantDrift) || strings.Contains(log, "refused") {
			t.Errorf("the merged report has no %q, or refused a report:\n%s", wantDrift, log)
		}
		w.mountedOnlyBy(t, done, "/workspace/dns-credentials", "step-dns-zone-diff")
	})
}

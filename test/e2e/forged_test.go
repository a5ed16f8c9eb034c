//go:build e2e

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/plumbline/plumbline/internal/bindtest"
	"github.com/plumbline/plumbline/pkg/report"
)

// TestForgedReports is issue 14's attack on the shipped pipeline: a pull
// request commits reports that say every check passed, where the old
// layout read them (.plumbline/reports, a directory named like a report)
// and where the new one writes (reports/<task>/), and makes its zone file
// a symlink to the mounted TSIG key. The run fails, the status it would
// post is not success, the merged report holds what the checks really
// found, and the key appears in no log.
func TestForgedReports(t *testing.T) {
	w := setup(t)
	in := install(t, w)
	live := w.liveDNS(t)

	work := t.TempDir()
	run(t, work, "cp", "-a", filepath.Join(w.root, "examples", "homelab")+"/.", work)
	pass := func(tool string) string {
		return `{"tool": "` + tool + `", "run": "guessed", "summary": {"errors": 0, "warnings": 0, "notes": 0, "files": 9, "passed": true}, "findings": []}`
	}
	for _, tool := range []string{"terraform-validate", "ansible-lint-check", "policy-check", "dns-zone-diff"} {
		for _, f := range []string{
			filepath.Join(".plumbline", "reports", tool+".json", "ok.json"), // the attack of issue 14
			filepath.Join("reports", tool, tool+".json"),                    // where reports go now, on the volume
			filepath.Join("reports", "merged", "report.json"),
		} {
			p := filepath.Join(work, f)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(pass(tool)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	zone := filepath.Join(work, "dns", "home.arpa.zone")
	os.Remove(zone)
	if err := os.Symlink("/workspace/dns-credentials/tsig.key", zone); err != nil {
		t.Fatal(err)
	}
	run(t, work, "git", "init", "-q", "-b", "main")
	run(t, work, "git", "add", "-A")
	head := commit(t, work, "all green, trust me")
	bare := filepath.Join(filepath.Dir(in.repoDir), "forged.git")
	os.RemoveAll(bare)
	run(t, work, "git", "clone", "-q", "--bare", work, bare)

	created := w.startSample(t, map[string]string{"repo-url": "git://" + w.hostIP + "/forged.git", "dns-live": live, "terraform-offline": "true"})
	// dns-zone-diff refuses the symlink: it could not do its work (2).
	want := infraWant(true)
	want["dns-zone-diff"] = 2
	merged := w.checkInfraRun(t, created.Name, head, want)
	if merged == nil {
		t.Fatal("no merged report")
	}
	if merged.Summary.Passed {
		t.Error("the merged report passed")
	}
	for _, c := range merged.Checks {
		if c.Status != report.Ran || c.Summary.Passed {
			t.Errorf("check %s: %s, passed %v: each check's own report of this run, each failing", c.Tool, c.Status, c.Summary.Passed)
		}
	}
	refused := false
	for _, f := range merged.Findings {
		refused = refused || f.Tool == "dns-zone-diff" && strings.Contains(f.Message, "refused: a symlink that leads out of the scanned tree")
	}
	if !refused {
		t.Errorf("dns-zone-diff does not say it refused the symlink: %v", merged.Findings)
	}
	// No log of the run holds the key.
	trs, err := w.tekton.TektonV1().TaskRuns(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "tekton.dev/pipelineRun=" + created.Name})
	if err != nil {
		t.Fatal(err)
	}
	for i := range trs.Items {
		if l := logs(ns, &trs.Items[i]); strings.Contains(l, bindtest.Secret) {
			t.Errorf("%s: the TSIG secret is in the log", trs.Items[i].Name)
		}
	}
}

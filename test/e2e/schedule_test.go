//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"

	"github.com/plumbline/plumbline/internal/bindtest"
)

// TestSchedule: schedules/drift.yaml as shipped (its image the release's
// report, its marked values filled as make install fills them), each run
// started as its CronJob starts one (a Job from it), against two real BIND
// servers of one zone. The first run finds them as Git says: nobody is
// told. Then someone adds a record by hand on the second: the next run
// tells the chat (a recording HTTP endpoint standing for it) once, the one
// after says nothing more. The state lives on the plumbline-state volume.
func TestSchedule(t *testing.T) {
	w := setup(t)
	in := install(t, w)
	// The example's live zone: its desired one holds planted mistakes
	// BIND refuses to load.
	zone, err := os.ReadFile(filepath.Join(w.root, "examples", "homelab", "dns-live", "home.arpa.zone"))
	if err != nil {
		t.Fatal(err)
	}
	dns1 := bindtest.StartOn(t, w.hostIP, bindtest.Zone{Name: "home.arpa", Text: string(zone)})
	dns2 := bindtest.StartOn(t, w.hostIP, bindtest.Zone{Name: "home.arpa", Text: string(zone)})

	repo := t.TempDir()
	run(t, repo, "mkdir", "-p", "dns")
	if err := os.WriteFile(filepath.Join(repo, "dns", "home.arpa.zone"), zone, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("version: 1\npolicy:\n  enabled: false\nterraform:\n  enabled: false\nansible:\n  enabled: false\n"+
		"dns:\n  failOnDrift: true\n  zones:\n    - zone: home.arpa\n      desired: dns/home.arpa.zone\n      live:\n"+
		"        - axfr://%s/home.arpa\n        - axfr://%s/home.arpa\n", dns1.Addr, dns2.Addr)
	if err := os.WriteFile(filepath.Join(repo, ".plumbline.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	gitRepo(t, repo, filepath.Join(w.state, "git", "scheduled.git"))
	repoURL := "git://" + w.hostIP + "/scheduled.git"

	// The chat.
	var mu sync.Mutex
	var told []string
	ln, err := net.Listen("tcp", w.hostIP+":0")
	if err != nil {
		t.Fatal(err)
	}
	chat := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var body map[string]string
		json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body)
		mu.Lock()
		told = append(told, body["text"])
		mu.Unlock()
	})}
	go chat.Serve(ln)
	t.Cleanup(func() { chat.Close() })
	notifySecret := kubectl(t, "", "create", "secret", "generic", "plumbline-notify", "-n", ns,
		"--from-literal=webhook-url=http://"+ln.Addr().String()+"/chat", "--dry-run=client", "-o", "yaml")
	kubectl(t, notifySecret, "apply", "-f", "-")
	t.Cleanup(func() {
		kubectl(t, kubectl(t, "", "create", "secret", "generic", "plumbline-notify", "-n", ns, "--dry-run=client", "-o", "yaml"), "apply", "-f", "-")
	})

	// The state volume: a hostPath PersistentVolume the claim binds to.
	stateDir := filepath.Join(w.state, "pv", "plumbline-state")
	os.RemoveAll(stateDir)
	os.MkdirAll(stateDir, 0o777)
	os.Chmod(stateDir, 0o777)
	kubectl(t, fmt.Sprintf(`apiVersion: v1
kind: PersistentVolume
metadata: {name: plumbline-state-e2e}
spec:
  capacity: {storage: 64Mi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Delete
  hostPath: {path: %s, type: Directory}
  claimRef: {namespace: %s, name: plumbline-state}
`, stateDir, ns), "apply", "-f", "-")

	// The shipped file, as make install fills it; the release's report
	// image (the catalog pins it) for ko's reference.
	action, err := os.ReadFile(filepath.Join(in.catalog, "stepaction", "plumbline-report", release, "plumbline-report.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	image := regexp.MustCompile(`\S+/report@sha256:[0-9a-f]{64}`).Find(action)
	if image == nil {
		t.Fatal("no report image in the catalog's StepAction")
	}
	data, err := os.ReadFile(filepath.Join(w.root, "schedules", "drift.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(data), "ko://github.com/plumbline/plumbline/images/report", string(image))
	for marker, value := range map[string]string{"SCHEDULE_REPO_NAME": "e2e/scheduled", "SCHEDULE_REPO": repoURL, "SCHEDULE_REVISION": "main", "SCHEDULE": "@yearly"} {
		re := regexp.MustCompile(`(?m)^(\s*(?:value|schedule): ).*# ` + marker + `(?:$|[ :].*$)`)
		if !re.MatchString(text) {
			t.Fatalf("schedules/drift.yaml has no line marked %s", marker)
		}
		text = re.ReplaceAllString(text, "${1}"+fmt.Sprintf("%q", value))
	}
	kubectl(t, text, "apply", "-n", ns, "-f", "-")
	t.Cleanup(func() {
		kubectl(t, text, "delete", "-n", ns, "--ignore-not-found", "-f", "-")
		kubectl(t, "", "delete", "pv", "plumbline-state-e2e", "--ignore-not-found")
	})

	// Each run as the CronJob starts one.
	runs := 0
	scheduled := func() *pipelinev1.TaskRun {
		t.Helper()
		runs++
		job := fmt.Sprintf("drift-e2e-%d", runs)
		kubectl(t, "", "create", "job", "-n", ns, "--from=cronjob/plumbline-drift", job)
		if out, err := exec.Command("kubectl", "wait", "-n", ns, "--for=condition=complete", "--timeout=120s", "job/"+job).CombinedOutput(); err != nil {
			describe, _ := exec.Command("kubectl", "describe", "-n", ns, "job/"+job).CombinedOutput()
			pods, _ := exec.Command("kubectl", "describe", "-n", ns, "pods", "-l", "job-name="+job).CombinedOutput()
			podLogs, _ := exec.Command("kubectl", "logs", "-n", ns, "-l", "job-name="+job, "--tail=50").CombinedOutput()
			t.Fatalf("job %s did not complete: %v %s\n%s\n%s\nlogs:\n%s", job, err, out, describe, pods, podLogs)
		}
		out := kubectl(t, "", "logs", "-n", ns, "job/"+job)
		m := regexp.MustCompile(`started taskruns/` + ns + `/(drift-[a-z0-9]+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("the job started no TaskRun:\n%s", out)
		}
		tr := waitDone(t, "TaskRun", 5*time.Minute, w.tekton.TektonV1().TaskRuns(ns).Get, m[1])
		if tr.Labels["plumbline.dev/scheduled"] != "true" {
			t.Errorf("%s is not labelled as scheduled: %v", tr.Name, tr.Labels)
		}
		t.Logf("%s: %v", tr.Name, results(tr))
		return tr
	}
	if tr := scheduled(); results(tr)["status"] != "pass" {
		t.Fatalf("both servers as Git says, yet %v\n%s", results(tr), logs(ns, tr))
	}
	if len(told) != 0 {
		t.Errorf("no drift, yet the chat was told %q", told)
	}
	dns2.Serve(t, bindtest.Zone{Name: "home.arpa", Text: string(zone) + "byhand IN A 10.0.10.99\n"})
	tr := scheduled()
	if results(tr)["status"] != "fail" {
		t.Errorf("drift with failOnDrift, yet %v\n%s", results(tr), logs(ns, tr))
	}
	scheduled()
	mu.Lock()
	defer mu.Unlock()
	if len(told) != 1 || !strings.Contains(told[0], "Plumbline: drift in e2e/scheduled") || !strings.Contains(told[0], "byhand") {
		t.Errorf("the chat was told %d times, want once: %q", len(told), told)
	}
	state, err := os.ReadFile(filepath.Join(stateDir, "drift-e2e_scheduled.json"))
	if err != nil || !strings.Contains(string(state), `"drift":true`) {
		t.Errorf("the state volume holds %s (%v)", state, err)
	}
}

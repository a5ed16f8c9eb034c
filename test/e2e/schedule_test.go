//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
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
	// Transfers with the TSIG key (pods reach the host from their own
	// addresses), the key in plumbline-dns as quickstart §4 says.
	dns1 := bindtest.StartOn(t, w.hostIP, bindtest.Zone{Name: "home.arpa", Text: string(zone), Transfer: "tsig"})
	dns2 := bindtest.StartOn(t, w.hostIP, bindtest.Zone{Name: "home.arpa", Text: string(zone), Transfer: "tsig"})
	dnsSecret := kubectl(t, "", "create", "secret", "generic", "plumbline-dns", "-n", ns,
		"--from-literal=tsig.key="+dns1.Key, "--from-literal=allowed-hosts="+w.hostIP, "--dry-run=client", "-o", "yaml")
	kubectl(t, dnsSecret, "apply", "-f", "-")
	t.Cleanup(func() {
		kubectl(t, kubectl(t, "", "create", "secret", "generic", "plumbline-dns", "-n", ns, "--dry-run=client", "-o", "yaml"), "apply", "-f", "-")
	})

	repo := t.TempDir()
	run(t, repo, "mkdir", "-p", "dns")
	if err := os.WriteFile(filepath.Join(repo, "dns", "home.arpa.zone"), zone, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("version: 1\npolicy:\n  enabled: false\nterraform:\n  enabled: false\nansible:\n  enabled: false\n"+
		"dns:\n  failOnDrift: true\n  zones:\n    - zone: home.arpa\n      desired: dns/home.arpa.zone\n      tsigKeyFile: tsig.key\n      live:\n"+
		"        - axfr://%s/home.arpa\n        - axfr://%s/home.arpa\n", dns1.Addr, dns2.Addr)
	if err := os.WriteFile(filepath.Join(repo, ".plumbline.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	gitRepo(t, repo, filepath.Join(w.state, "git", "scheduled.git"))
	repoURL := "git://" + w.hostIP + "/scheduled.git"

	// The chat.
	var mu sync.Mutex
	var told []string
	chatAddr := w.serve(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var body map[string]string
		json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body)
		mu.Lock()
		told = append(told, body["text"])
		mu.Unlock()
	}))
	notifySecret := kubectl(t, "", "create", "secret", "generic", "plumbline-notify", "-n", ns,
		"--from-literal=webhook-url=http://"+chatAddr+"/chat", "--dry-run=client", "-o", "yaml")
	kubectl(t, notifySecret, "apply", "-f", "-")
	t.Cleanup(func() {
		kubectl(t, kubectl(t, "", "create", "secret", "generic", "plumbline-notify", "-n", ns, "--dry-run=client", "-o", "yaml"), "apply", "-f", "-")
	})

	// The state volume: a hostPath PersistentVolume the claim binds to.
	stateDir := filepath.Join(w.state, "pv", "plumbline-state")
	os.RemoveAll(stateDir)
	os.MkdirAll(stateDir, 0o777)
	os.Chmod(stateDir, 0o777)
	hostPathPV(t, "plumbline-state-e2e", stateDir, "plumbline-state", "ReadWriteOnce")

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
		// The scheduled runs' pods hold the claim: they go first.
		kubectl(t, "", "delete", "taskruns", "-n", ns, "-l", "plumbline.dev/scheduled=true", "--ignore-not-found")
		kubectl(t, text, "delete", "-n", ns, "--ignore-not-found", "--wait=false", "-f", "-")
		kubectl(t, "", "delete", "pv", "plumbline-state-e2e", "--ignore-not-found", "--wait=false")
	})

	// Each run as the CronJob's pod starts one: its container's command
	// and args as applied, the template as the ConfigMap holds it, as the
	// plumbline-scheduler service account (a token of its own; RBAC
	// decides). From the host: this cluster's pods cannot reach its
	// apiserver (el-sink.sh says the same of the EventListener).
	cron := kubectl(t, "", "get", "cronjob", "-n", ns, "plumbline-drift", "-o",
		`jsonpath={.spec.jobTemplate.spec.template.spec.serviceAccountName} {.spec.jobTemplate.spec.template.spec.containers[0].image} {.spec.jobTemplate.spec.template.spec.containers[0].command[0]} {.spec.jobTemplate.spec.template.spec.containers[0].args[*]}`)
	fields := strings.Fields(cron)
	if len(fields) != 5 || fields[0] != "plumbline-scheduler" || fields[1] != string(image) || fields[2] != "/ko-app/report" ||
		fields[3] != "schedule" || fields[4] != "--template=/etc/plumbline/run.yaml" {
		t.Fatalf("the CronJob's pod: %q", cron)
	}
	mount := filepath.Join(t.TempDir(), "etc", "plumbline")
	sa := filepath.Join(t.TempDir(), "serviceaccount")
	os.MkdirAll(mount, 0o755)
	os.MkdirAll(sa, 0o755)
	template := kubectl(t, "", "get", "configmap", "-n", ns, "plumbline-schedule", "-o", `jsonpath={.data.run\.yaml}`)
	ca, err := os.ReadFile(filepath.Join(w.state, "pki", "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	for file, text := range map[string]string{
		filepath.Join(mount, "run.yaml"): template,
		filepath.Join(sa, "token"):       kubectl(t, "", "create", "token", "plumbline-scheduler", "-n", ns),
		filepath.Join(sa, "ca.crt"):      string(ca),
		filepath.Join(sa, "namespace"):   ns,
	} {
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	report := filepath.Join(t.TempDir(), "report")
	run(t, w.root, "go", "build", "-o", report, "./images/report")
	scheduled := func() *pipelinev1.TaskRun {
		t.Helper()
		cmd := exec.Command(report, "schedule", "--template="+filepath.Join(mount, "run.yaml"), "--service-account="+sa)
		cmd.Env = append(os.Environ(), "KUBERNETES_SERVICE_HOST=127.0.0.1", "KUBERNETES_SERVICE_PORT=6443")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("report schedule: %v\n%s", err, out)
		}
		m := regexp.MustCompile(`started taskruns/` + ns + `/(drift-[a-z0-9]+)`).FindStringSubmatch(string(out))
		if m == nil {
			t.Fatalf("no TaskRun started:\n%s", out)
		}
		tr := waitDone(t, "TaskRun", 5*time.Minute, w.tekton.TektonV1().TaskRuns(ns).Get, m[1])
		if tr.Labels["plumbline.dev/scheduled"] != "true" {
			t.Errorf("%s is not labelled as scheduled: %v", tr.Name, tr.Labels)
		}
		t.Logf("%s: %v", tr.Name, results(tr))
		return tr
	}
	// The service account may start TaskRuns and nothing else.
	if out, _ := exec.Command("kubectl", "auth", "can-i", "create", "pipelineruns.tekton.dev", "-n", ns,
		"--as=system:serviceaccount:"+ns+":plumbline-scheduler").CombinedOutput(); strings.TrimSpace(string(out)) != "no" {
		t.Errorf("the scheduler may create PipelineRuns: %s", out)
	}
	if tr := scheduled(); results(tr)["status"] != "pass" {
		t.Fatalf("both servers as Git says, yet %v\n%s", results(tr), logs(ns, tr))
	}
	if len(told) != 0 {
		t.Errorf("no drift, yet the chat was told %q", told)
	}
	dns2.Serve(t, bindtest.Zone{Name: "home.arpa", Text: string(zone) + "byhand IN A 10.0.10.99\n", Transfer: "tsig"})
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

//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tektoncd/pipeline/pkg/apis/pipeline/pod"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/plumbline/plumbline/internal/bindtest"
	"github.com/plumbline/plumbline/internal/giteatest"
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
	// dns-zone-diff and policy-check (which reads zone files too) refuse
	// the symlink: they could not do all their work (2).
	want := infraWant(true)
	want["dns-zone-diff"], want["policy-check"] = 2, 2
	merged := w.checkInfraRun(t, created.Name, head, want)
	if merged == nil {
		t.Fatal("no merged report")
	}
	if merged.Summary.Passed {
		t.Error("the merged report passed")
	}
	for _, c := range merged.Checks {
		// The two that could not finish are shown so (incomplete), never
		// as ran; the others ran; none passed.
		status := report.Ran
		if want[c.Tool] == 2 { // the pipeline task names these two as their tools
			status = report.Incomplete
		}
		if c.Status != status || c.Summary.Passed {
			t.Errorf("check %s: %s, passed %v: want %s, each check's own report of this run, each failing", c.Tool, c.Status, c.Summary.Passed, status)
		}
	}
	refused := false
	for _, f := range merged.Findings {
		refused = refused || f.Tool == "dns-zone-diff" && f.File == "dns/home.arpa.zone" && strings.Contains(f.Message, "refused: a symlink that leads out of the scanned tree")
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
		if l := allLogs(ns, &trs.Items[i]); strings.Contains(l, bindtest.Secret) {
			t.Errorf("%s: the TSIG secret is in the log", trs.Items[i].Name)
		}
	}
}

// allLogs is every line a TaskRun's containers wrote.
func allLogs(namespace string, tr *pipelinev1.TaskRun) string {
	out, _ := exec.Command("kubectl", "logs", "-n", namespace, tr.Status.PodName, "--all-containers").CombinedOutput()
	return string(out)
}

// TestOnePodReports proves the design docs/security.md gives the one-pod
// form (issue 18): when checks are steps of one pod, each writes its report
// into an emptyDir only its own step (and the report step) mounts, so a
// later step running the repository's code cannot rewrite, delete or
// plant another check's report, whatever UID it runs as.
func TestOnePodReports(t *testing.T) {
	w := setup(t)
	namespace(t, tasksNS)
	mount := func(name string, ro bool) corev1.VolumeMount {
		return corev1.VolumeMount{Name: name, MountPath: "/reports/" + name, ReadOnly: ro}
	}
	empty := corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}
	tr := &pipelinev1.TaskRun{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "one-pod-reports-", Namespace: tasksNS},
		Spec: pipelinev1.TaskRunSpec{TaskSpec: &pipelinev1.TaskSpec{
			Volumes: []corev1.Volume{{Name: "a", VolumeSource: empty}, {Name: "b", VolumeSource: empty}},
			Steps: []pipelinev1.Step{
				{Name: "check-a", Image: w.ansible, VolumeMounts: []corev1.VolumeMount{mount("a", false)},
					Script: "#!/bin/sh\nset -e\necho '{\"tool\": \"a\", \"findings\": [{\"rule\": \"a/r\", \"severity\": \"error\", \"message\": \"m\"}]}' > /reports/a/a.json\n"},
				// The repository's code, in the next check's step: it looks
				// for a's report everywhere it can reach and overwrites what
				// it finds; it can also write its own directory only.
				{Name: "check-b", Image: w.ansible, VolumeMounts: []corev1.VolumeMount{mount("b", false)},
					Script: "#!/bin/sh\nfor f in $(find / -xdev -name a.json 2>/dev/null); do echo '{\"tool\": \"a\", \"findings\": []}' > \"$f\" && echo \"overwrote $f\"; done\n" +
						"mkdir -p /reports/a && echo '{\"tool\": \"a\", \"findings\": []}' > /reports/a/a.json\necho planted\n"},
				{Name: "report", Image: w.ansible, VolumeMounts: []corev1.VolumeMount{mount("a", true), mount("b", true)},
					Script: "#!/bin/sh\nset -e\ngrep -q '\"severity\": \"error\"' /reports/a/a.json\ntest ! -e /reports/b/a.json\necho 'a.json is a'\"'\"'s own'\n"},
			},
		}},
	}
	done, cond, _ := w.runTaskRun(t, tr)
	if cond.Status != corev1.ConditionTrue {
		t.Fatalf("%s %s: %s\n%s", cond.Status, cond.Reason, cond.Message, allLogs(tasksNS, done))
	}
	if l := allLogs(tasksNS, done); strings.Contains(l, "overwrote /reports/a") || !strings.Contains(l, "a.json is a's own") {
		t.Errorf("check-b reached a's report:\n%s", l)
	}
}

// TestOnePodForged is the attack the one-pod form must stop: after
// policy-check wrote its failing report, a later step of the same pod (the
// repository's code, in ansible-lint's place) rewrites that report to pass,
// keeping its run id, and tries to rewrite the digest policy-check gave as
// its step result. Tekton mounts that result read-only in every other
// step, and report, given the digest, refuses the rewritten report: the
// run fails, never passes.
func TestOnePodForged(t *testing.T) {
	w := setup(t)
	in := install(t, w)
	sha := run(t, in.repoDir, "git", "rev-parse", "main")
	str := func(s string) pipelinev1.ParamValue { return *pipelinev1.NewStructuredValues(s) }
	attack := `#!/bin/sh
r=/work/reports/policy-check.json
run=$(sed -n 's/.*"run": *"\([^"]*\)".*/\1/p' "$r" | head -n 1)
printf '{"tool": "policy-check", "run": "%s", "findings": []}\n' "$run" >"$r" && echo rewrote the report
for f in /tekton/steps/step-policy-check/results/report-sha256 /tekton/run/1/status/results/report-sha256; do
  if printf '%s' "$(sha256sum "$r" | cut -d' ' -f1)" >"$f" 2>/dev/null; then echo "rewrote $f"; else echo "cannot write $f"; fi
done
`
	tr := &pipelinev1.TaskRun{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "forged-one-pod-", Namespace: ns},
		Spec: pipelinev1.TaskRunSpec{
			PodTemplate: &pod.Template{SecurityContext: &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](65532)}},
			TaskSpec: &pipelinev1.TaskSpec{
				Volumes:      []corev1.Volume{{Name: "work", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
				StepTemplate: &pipelinev1.StepTemplate{VolumeMounts: []corev1.VolumeMount{{Name: "work", MountPath: "/work"}}},
				Results:      []pipelinev1.TaskResult{{Name: "status", Value: pipelinev1.NewStructuredValues("$(steps.report.results.status)")}},
				Steps: []pipelinev1.Step{
					{Name: "fetch", Ref: &pipelinev1.Ref{Name: "plumbline-git-fetch"}, Params: pipelinev1.Params{
						{Name: "url", Value: str(in.repoURL)}, {Name: "revision", Value: str(sha)}, {Name: "output-path", Value: str("/work/src")}}},
					{Name: "policy-check", Ref: &pipelinev1.Ref{Name: "plumbline-policy-check"}, OnError: pipelinev1.Continue, Params: pipelinev1.Params{
						{Name: "source-dir", Value: str("/work/src")}, {Name: "reports-dir", Value: str("/work/reports")},
						{Name: "run-id", Value: str("$(context.taskRun.uid)")}}},
					{Name: "attacker", Image: w.ansible, Script: attack},
					{Name: "report", Ref: &pipelinev1.Ref{Name: "plumbline-report"}, Params: pipelinev1.Params{
						{Name: "reports-dir", Value: str("/work/reports")},
						{Name: "reports", Value: pipelinev1.ParamValue{Type: pipelinev1.ParamTypeArray, ArrayVal: []string{"policy-check.json"}}},
						{Name: "run-id", Value: str("$(context.taskRun.uid)")},
						{Name: "extra-args", Value: pipelinev1.ParamValue{Type: pipelinev1.ParamTypeArray,
							ArrayVal: []string{"--expect-sha256=policy-check.json=$(steps.policy-check.results.report-sha256)"}}},
					}},
				},
			},
		},
	}
	done, cond, res := w.runTaskRun(t, tr)
	attacker := stepLog(ns, done, "attacker")
	if !strings.Contains(attacker, "rewrote the report") || strings.Contains(attacker, "rewrote /tekton") {
		t.Errorf("the attacker did not rewrite the report, or did rewrite a step result:\n%s", attacker)
	}
	log := stepLog(ns, done, "report")
	if cond.Status == corev1.ConditionTrue || res["status"] != "fail" || !strings.Contains(log, "policy-check.json: refused: not what its check wrote") {
		t.Errorf("%s: %s/%s, results %v; want the rewritten report refused and the run failed:\n%s\n%s", done.Name, cond.Status, cond.Reason, res, attacker, log)
	}
}

// TestOnePodConfigForged is issue 30's attack on the shipped
// plumbline-validate: code the repository runs in a check (an Ansible
// filter plugin next to a playbook that uses a filter) writes a
// .plumbline.yaml saying failOn: never into the reports directory the
// report step runs in, and rewrites the clone's; a vault_password_file
// script in ansible.cfg would do the same. The run passed, with errors,
// before. Now the planted file is never read, the rewritten one is refused
// (its digest is not the one the fetch step recorded), the script never
// runs, and the run fails. Then a pull request whose own config says
// failOn: never and disables terraform-validate, run against its base
// branch (the example's config): judged at error, and the disabled check
// is an error.
func TestOnePodConfigForged(t *testing.T) {
	w := setup(t)
	in := install(t, w)

	work := t.TempDir()
	run(t, work, "cp", "-a", filepath.Join(w.root, "examples", "homelab")+"/.", work)
	run(t, work, "git", "init", "-q", "-b", "main")
	run(t, work, "git", "add", "-A")
	base := commit(t, work, "the example, as the base branch")

	never := "version: 1\nfailOn: never\nreport:\n  missing: note\n"
	plugin := `import os
for path, text in (("/plumbline/reports/.plumbline.yaml", ` + fmt.Sprintf("%q", never) + `),
                   ("/plumbline/src/.plumbline.yaml", ` + fmt.Sprintf("%q", never) + `)):
    try:
        with open(path, "w") as f:
            f.write(text)
    except OSError:
        pass


class FilterModule(object):
    def filters(self):
        return {}
`
	testfsWrite(t, work, "ansible/playbooks/filter_plugins/forge.py", plugin, 0o644)
	testfsWrite(t, work, "ansible/playbooks/forge.yml", "---\n- name: Forge\n  hosts: all\n  tasks:\n    - name: Use a filter\n      ansible.builtin.debug:\n        msg: \"{{ 'x' | upper }}\"\n", 0o644)
	testfsWrite(t, work, "ansible/vault.sh", "#!/bin/sh\nprintf '"+strings.ReplaceAll(never, "\n", `\n`)+"' > /plumbline/reports/.plumbline.yaml\necho vault-password\n", 0o755)
	cfg := must(os.ReadFile(filepath.Join(work, "ansible", "ansible.cfg")))
	testfsWrite(t, work, "ansible/ansible.cfg", strings.Replace(string(cfg), "[defaults]\n", "[defaults]\nvault_password_file = ./vault.sh\n", 1), 0o644)
	run(t, work, "git", "add", "-A")
	attack := commit(t, work, "a filter plugin and a vault script that say failOn: never")

	run(t, work, "git", "checkout", "-q", base)
	testfsWrite(t, work, ".plumbline.yaml", strings.Replace(string(must(os.ReadFile(filepath.Join(work, ".plumbline.yaml")))), "failOn: error\n", "failOn: never\n", 1)+"\n", 0o644)
	run(t, work, "sh", "-c", `sed -i 's/^terraform:$/terraform:\n  enabled: false/' .plumbline.yaml`)
	run(t, work, "git", "add", "-A")
	lowered := commit(t, work, "a pull request that lowers its own bar")

	bare := filepath.Join(filepath.Dir(in.repoDir), "forged-config.git")
	os.RemoveAll(bare)
	run(t, work, "git", "clone", "-q", "--bare", work, bare)
	for _, ref := range []string{attack, lowered} {
		run(t, bare, "git", "update-ref", "refs/heads/r-"+ref[:8], ref)
	}
	url := "git://" + w.hostIP + "/forged-config.git"

	// The verdict goes to a real Gitea, as a triggered run's does.
	srv := giteatest.StartOn(t, w.hostIP)
	srv.User("homelab")
	srv.User("plumbline-bot")
	srv.API("admin", http.MethodPost, "/admin/users/homelab/repos", map[string]any{"name": "infra", "default_branch": "main"}, nil)
	srv.API("homelab", http.MethodPut, "/repos/homelab/infra/collaborators/plumbline-bot", map[string]any{"permission": "write"}, nil)
	run(t, work, "git", "push", "-q", srv.CloneURL("homelab", "homelab/infra"), attack+":refs/heads/main", lowered+":refs/heads/lower")
	token := srv.Token("plumbline-bot", "write:repository", "write:issue", "read:user")
	kubectl(t, kubectl(t, "", "create", "secret", "generic", "plumbline-notify", "-n", ns, "--from-literal=gitea-token="+token,
		"--dry-run=client", "-o", "yaml"), "apply", "-f", "-")
	toGitea := func(tr *pipelinev1.TaskRun) *pipelinev1.TaskRun {
		tr.Spec.Params = append(tr.Spec.Params,
			pipelinev1.Param{Name: "gitea-url", Value: *pipelinev1.NewStructuredValues(srv.URL)},
			pipelinev1.Param{Name: "repo", Value: *pipelinev1.NewStructuredValues("homelab/infra")})
		tr.Spec.Workspaces = append(tr.Spec.Workspaces, pipelinev1.WorkspaceBinding{Name: "notify-credentials",
			Secret: &corev1.SecretVolumeSource{SecretName: "plumbline-notify"}})
		return tr
	}

	done, _, res := w.runTaskRun(t, toGitea(validateTaskRun(ns, "forged-config-", url, attack)))
	log := stepLog(ns, done, "report")
	if res["status"] != "fail" || !strings.Contains(log, "report/config-refused") || !strings.Contains(log, "refused: not the file fetched") {
		t.Errorf("%s: results %v; want fail, and the rewritten config refused:\n%s", done.Name, res, log)
	}
	if state, _ := srv.Status("homelab/infra", attack); state != "failure" {
		t.Errorf("the commit status on Gitea: %q, want failure", state)
	}

	tr := toGitea(validateTaskRun(ns, "lowered-bar-", url, lowered))
	tr.Spec.Params = append(tr.Spec.Params, pipelinev1.Param{Name: "base-revision", Value: *pipelinev1.NewStructuredValues(base)})
	done, _, res = w.runTaskRun(t, tr)
	log = stepLog(ns, done, "report")
	if res["status"] != "fail" || !strings.Contains(log, "report/config-lowered") || !strings.Contains(log, "disables terraform-validate") ||
		!strings.Contains(log, "judged at failOn error, the base branch's") {
		t.Errorf("%s: results %v; want fail at the base branch's bar, the disabled check an error:\n%s", done.Name, res, log)
	}
	if state, _ := srv.Status("homelab/infra", lowered); state != "failure" {
		t.Errorf("the pull request's commit status on Gitea: %q, want failure", state)
	}

	// The same pull request through the infra-validation Pipeline, as its
	// trigger template starts it: its report Task reads both configs from
	// the run's volume, where only fetch-source writes them.
	srv.API("homelab", http.MethodPost, "/repos/homelab/infra/statuses/"+lowered, map[string]any{"state": "pending", "context": "plumbline", "description": "reset"}, nil)
	pr := w.sample(t, map[string]string{"repo-url": url, "revision": lowered, "base-revision": base, "dns-live": w.liveDNS(t),
		"gitea-url": srv.URL, "repo": "homelab/infra"})
	pr.Spec.Workspaces = append(pr.Spec.Workspaces, pipelinev1.WorkspaceBinding{Name: "notify-credentials",
		Secret: &corev1.SecretVolumeSource{SecretName: "plumbline-notify"}})
	created := w.create(t, pr)
	waitDone(t, "PipelineRun", 10*time.Minute, w.tekton.TektonV1().PipelineRuns(ns).Get, created.Name)
	rep := w.pipelineTaskRuns(t, created.Name)["report"]
	if rep == nil {
		t.Fatalf("%s: no report TaskRun", created.Name)
	}
	log = logs(ns, rep)
	if r := results(rep); r["status"] != "fail" || !strings.Contains(log, "report/config-lowered") || !strings.Contains(log, "disables terraform-validate") {
		t.Errorf("%s: report results %v; want fail at the base branch's bar, the disabled check an error:\n%s", created.Name, r, log)
	}
	if state, _ := srv.Status("homelab/infra", lowered); state != "failure" {
		t.Errorf("the Pipeline's commit status on Gitea: %q, want failure", state)
	}
}

// TestOnePodProviderForged is issue 30's third path: a Terraform provider
// the repository ships (terraform.d/plugins, an implied local mirror that
// terraform init installs from with no network) runs when terraform
// validate loads its schema, and rewrites the report policy-check wrote
// before it, keeping its run id, so that its error is gone. report, given
// the digest policy-check gave as its step result, refuses the rewritten
// report: the run fails, and Gitea is told failure.
func TestOnePodProviderForged(t *testing.T) {
	w := setup(t)
	in := install(t, w)

	work := t.TempDir()
	testfsWrite(t, work, ".plumbline.yaml", "version: 1\nfailOn: error\nterraform:\n  paths: [terraform]\n  offline: false\npolicy:\n  paths: [k8s]\n  policies: [\"@homelab\"]\n", 0o644)
	testfsWrite(t, work, "k8s/app.yaml", `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: apps
spec:
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      containers:
        - name: app
          image: nginx:latest
`, 0o644)
	testfsWrite(t, work, "terraform/main.tf", "terraform {\n  required_providers {\n    evil = {\n      source  = \"example.com/lab/evil\"\n      version = \"1.0.0\"\n    }\n  }\n}\n\nprovider \"evil\" {}\n", 0o644)
	src := filepath.Join(t.TempDir(), "main.go")
	testfsWrite(t, filepath.Dir(src), "main.go", `package main

import (
	"fmt"
	"os"
	"regexp"
)

// A provider that is not one: it runs when terraform loads its schema,
// erases policy-check's findings and plants a config, then exits.
func main() {
	const r = "/plumbline/reports/policy-check.json"
	b, _ := os.ReadFile(r)
	if m := regexp.MustCompile(`+"`"+`"run": *"([^"]*)"`+"`"+`).FindSubmatch(b); m != nil {
		os.WriteFile(r, fmt.Appendf(nil, "{\"tool\": \"policy-check\", \"run\": %q, \"findings\": []}\n", m[1]), 0o644)
	}
	os.WriteFile("/plumbline/reports/.plumbline.yaml", []byte("version: 1\nfailOn: never\n"), 0o644)
	os.Exit(1)
}
`, 0o644)
	bin := filepath.Join(work, "terraform", "terraform.d", "plugins", "example.com", "lab", "evil", "1.0.0", "linux_"+runtime.GOARCH, "terraform-provider-evil_v1.0.0")
	build := exec.Command("go", "build", "-o", bin, src)
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build the provider: %v\n%s", err, out)
	}
	run(t, work, "git", "init", "-q", "-b", "main")
	run(t, work, "git", "add", "-A")
	sha := commit(t, work, "a module whose provider rewrites another check's report")

	bare := filepath.Join(filepath.Dir(in.repoDir), "forged-provider.git")
	os.RemoveAll(bare)
	run(t, work, "git", "clone", "-q", "--bare", work, bare)
	url := "git://" + w.hostIP + "/forged-provider.git"

	srv := giteatest.StartOn(t, w.hostIP)
	srv.User("homelab")
	srv.User("plumbline-bot")
	srv.API("admin", http.MethodPost, "/admin/users/homelab/repos", map[string]any{"name": "infra", "default_branch": "main"}, nil)
	srv.API("homelab", http.MethodPut, "/repos/homelab/infra/collaborators/plumbline-bot", map[string]any{"permission": "write"}, nil)
	run(t, work, "git", "push", "-q", srv.CloneURL("homelab", "homelab/infra"), sha+":refs/heads/main")
	token := srv.Token("plumbline-bot", "write:repository", "write:issue", "read:user")
	kubectl(t, kubectl(t, "", "create", "secret", "generic", "plumbline-notify", "-n", ns, "--from-literal=gitea-token="+token,
		"--dry-run=client", "-o", "yaml"), "apply", "-f", "-")

	tr := validateTaskRun(ns, "forged-provider-", url, sha)
	tr.Spec.Params = append(tr.Spec.Params,
		pipelinev1.Param{Name: "gitea-url", Value: *pipelinev1.NewStructuredValues(srv.URL)},
		pipelinev1.Param{Name: "repo", Value: *pipelinev1.NewStructuredValues("homelab/infra")})
	tr.Spec.Workspaces = append(tr.Spec.Workspaces, pipelinev1.WorkspaceBinding{Name: "notify-credentials",
		Secret: &corev1.SecretVolumeSource{SecretName: "plumbline-notify"}})
	done, _, res := w.runTaskRun(t, tr)
	log := stepLog(ns, done, "report")
	if res["status"] != "fail" || !strings.Contains(log, "policy-check.json: refused: not what its check wrote") {
		t.Errorf("%s: results %v; want fail, and the rewritten report refused:\n%s\n%s", done.Name, res, stepLog(ns, done, "terraform-validate"), log)
	}
	if strings.Contains(log, "failOn never") || strings.Contains(log, "judged at failOn never") {
		t.Errorf("the planted config was read:\n%s", log)
	}
	if state, _ := srv.Status("homelab/infra", sha); state != "failure" {
		t.Errorf("the commit status on Gitea: %q, want failure", state)
	}
}

func testfsWrite(t *testing.T, dir, name, text string, mode os.FileMode) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

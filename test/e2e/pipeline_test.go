//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"knative.dev/pkg/apis"
	"sigs.k8s.io/yaml"

	"github.com/plumbline/plumbline/internal/bindtest"
	"github.com/plumbline/plumbline/internal/shlex"
	"github.com/plumbline/plumbline/pkg/report"
)

// installed is a release as a user installs it: the catalog's
// digest-pinned Tasks, pipelines/ and triggers/ as shipped, in the
// quickstart's namespace; and the git server holding the infra repository
// and the catalog. (BIND is per test: liveDNS.)
type installed struct {
	repoURL    string // git:// URL of the homelab repository, from pods
	repoDir    string // its bare repository on the host
	catalogURL string
	catalog    string // the generated catalog directory
}

var (
	installOnce sync.Once
	theInstall  *installed
)

func install(t *testing.T, w *world) *installed {
	t.Helper()
	installOnce.Do(func() {
		in := &installed{catalog: filepath.Join(w.state, "catalog")}
		os.RemoveAll(in.catalog)
		// The release: make catalog pins what make images pushed, make
		// bundles pushes each item as a Tekton bundle next to the images.
		for _, target := range []string{"catalog", "bundles"} {
			run(t, w.root, "make", "--no-print-directory", target, "VERSION="+release,
				"IMAGE_REFS="+filepath.Join(w.state, "plumbline-images.txt"), "CATALOG="+in.catalog,
				"KO_DOCKER_REPO="+w.reg+"/plumbline")
		}
		git := filepath.Join(w.state, "git")
		in.repoDir = gitRepo(t, filepath.Join(w.root, "examples", "homelab"), filepath.Join(git, "homelab.git"))
		in.repoURL = "git://" + w.hostIP + "/homelab.git"
		gitRepo(t, in.catalog, filepath.Join(git, "catalog.git"))
		in.catalogURL = "git://" + w.hostIP + "/catalog.git"

		namespace(t, ns)
		// The StepActions first: every Task's steps run one by name.
		actions, _ := filepath.Glob(filepath.Join(in.catalog, "stepaction", "*", release, "*.yaml"))
		tasks, _ := filepath.Glob(filepath.Join(in.catalog, "task", "*", release, "*.yaml"))
		if len(actions) != 7 || len(tasks) != 7 {
			t.Fatalf("catalog StepActions %v, Tasks %v", actions, tasks)
		}
		for _, f := range append(actions, tasks...) {
			kubectl(t, "", "apply", "-n", ns, "-f", f)
		}
		kubectl(t, "", "apply", "-n", ns, "-f", filepath.Join(w.root, "pipelines"), "-f", filepath.Join(w.root, "triggers"))
		theInstall = in
	})
	if theInstall == nil {
		t.Fatal("the release install failed in an earlier test")
	}
	return theInstall
}

// liveDNS starts BIND on the bridge with examples/homelab's live zone for
// the rest of t, puts its TSIG key in the Secret plumbline-dns (as quickstart §4 says), and
// returns the zone's axfr:// URL.
func (w *world) liveDNS(t *testing.T) string {
	t.Helper()
	live, err := os.ReadFile(filepath.Join(w.root, "examples", "homelab", "dns-live", "home.arpa.zone"))
	if err != nil {
		t.Fatal(err)
	}
	srv := bindtest.StartOn(t, w.hostIP, bindtest.Zone{Name: "home.arpa", Text: string(live), Transfer: "tsig"})
	secret := kubectl(t, "", "create", "secret", "generic", "plumbline-dns", "-n", ns,
		"--from-literal=tsig.key="+srv.Key, "--dry-run=client", "-o", "yaml")
	kubectl(t, secret, "apply", "-f", "-")
	return "axfr://" + srv.Addr + "/home.arpa"
}

// gitRepo makes a bare repository at bare whose main holds one commit of
// dir's files, and returns bare.
func gitRepo(t *testing.T, dir, bare string) string {
	t.Helper()
	work := t.TempDir()
	run(t, work, "cp", "-a", dir+"/.", work)
	run(t, work, "git", "init", "-q", "-b", "main")
	run(t, work, "git", "add", "-A")
	commit(t, work, "import")
	os.RemoveAll(bare)
	run(t, work, "git", "clone", "-q", "--bare", work, bare)
	return bare
}

func commit(t *testing.T, work, msg string) string {
	t.Helper()
	run(t, work, "git", "-c", "user.name=e2e", "-c", "user.email=e2e@plumbline.invalid", "commit", "-q", "-m", msg)
	return run(t, work, "git", "rev-parse", "HEAD")
}

// TestPipeline runs infra-validation as the sample PipelineRun in
// pipelines/samples does, on a volume from its claim template, against the
// git server and BIND: the git-fetch StepAction (git-init) fetches the
// commit, every check finds the planted mistakes, and report merges them.
func TestPipeline(t *testing.T) {
	w := setup(t)
	in := install(t, w)
	// The sample's addresses are a homelab's; ours are on the bridge. No
	// Terraform registry is reachable, so init is skipped.
	created := w.startSample(t, map[string]string{"repo-url": in.repoURL, "dns-live": w.liveDNS(t), "terraform-offline": "true"})
	head := run(t, in.repoDir, "git", "rev-parse", "main")
	w.checkInfraRun(t, created.Name, head, infraWant(true))
}

// startSample creates pipelines/samples/infra-validation-run.yaml with the
// params in set changed (or added).
func (w *world) startSample(t *testing.T, set map[string]string) *pipelinev1.PipelineRun {
	t.Helper()
	return w.create(t, w.sample(t, set))
}

// create creates PipelineRun pr.
func (w *world) create(t *testing.T, pr *pipelinev1.PipelineRun) *pipelinev1.PipelineRun {
	t.Helper()
	created, err := w.tekton.TektonV1().PipelineRuns(ns).Create(context.Background(), pr, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return created
}

// sample is pipelines/samples/infra-validation-run.yaml with the params in
// set changed (or added), not yet created.
func (w *world) sample(t *testing.T, set map[string]string) *pipelinev1.PipelineRun {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(w.root, "pipelines", "samples", "infra-validation-run.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var pr pipelinev1.PipelineRun
	if err := yaml.UnmarshalStrict(data, &pr); err != nil {
		t.Fatal(err)
	}
	pr.Namespace = ns
	for i, p := range pr.Spec.Params {
		if v, ok := set[p.Name]; ok {
			pr.Spec.Params[i].Value = *pipelinev1.NewStructuredValues(v)
			delete(set, p.Name)
		}
	}
	for k, v := range set {
		pr.Spec.Params = append(pr.Spec.Params, pipelinev1.Param{Name: k, Value: *pipelinev1.NewStructuredValues(v)})
	}
	return &pr
}

// infraWant is each infra-validation task's step exit code on
// examples/homelab: the clone succeeds, every check finds the planted
// mistakes, and so does report (which succeeds with on-error continue).
func infraWant(dns bool) map[string]int32 {
	want := map[string]int32{"fetch-source": 0, "fetch-source-terraform": 0, "terraform-validate": 1, "ansible-lint": 1, "policy-check": 1, "report": 1}
	if dns {
		want["dns-zone-diff"] = 1
	}
	return want
}

// pipelineTaskRuns are a PipelineRun's TaskRuns by pipeline task name.
func (w *world) pipelineTaskRuns(t *testing.T, name string) map[string]*pipelinev1.TaskRun {
	t.Helper()
	trs, err := w.tekton.TektonV1().TaskRuns(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "tekton.dev/pipelineRun=" + name})
	if err != nil {
		t.Fatal(err)
	}
	runs := map[string]*pipelinev1.TaskRun{}
	for i := range trs.Items {
		runs[trs.Items[i].Labels["tekton.dev/pipelineTask"]] = &trs.Items[i]
	}
	return runs
}

// checkInfraRun waits for an infra-validation PipelineRun and checks each
// task's step exit code, the PipelineRun's results and the merged report,
// which it returns. The run fails when a check's exit is not 0, else it
// succeeds.
func (w *world) checkInfraRun(t *testing.T, name, commit string, want map[string]int32) *report.Report {
	t.Helper()
	failing := false
	for _, code := range want {
		failing = failing || code != 0
	}
	pr := waitDone(t, "PipelineRun", 10*time.Minute, w.tekton.TektonV1().PipelineRuns(ns).Get, name)
	cond := pr.Status.GetCondition(apis.ConditionSucceeded)
	t.Logf("%s: %s %s (%s); results %v", pr.Name, cond.Status, cond.Reason, cond.Message, pr.Status.Results)
	runs := w.pipelineTaskRuns(t, pr.Name)
	for task, code := range want {
		tr := runs[task]
		if tr == nil {
			t.Errorf("%s: no TaskRun (%s)", task, cond.Message)
			continue
		}
		if got := exitCode(tr); got != code {
			t.Errorf("%s: step exit %d, want %d\n%s", task, got, code, logs(ns, tr))
		}
	}
	if len(runs) != len(want) {
		t.Errorf("TaskRuns for %v, want %v", keys(runs), want)
	}
	if failing && (cond.Status != corev1.ConditionFalse || cond.Reason != "Failed") {
		t.Errorf("PipelineRun %s/%s, want Failed: the checks fail on the planted mistakes", cond.Status, cond.Reason)
	}
	if !failing && cond.Status != corev1.ConditionTrue {
		t.Errorf("PipelineRun %s/%s (%s), want Succeeded", cond.Status, cond.Reason, cond.Message)
	}
	// terraform-validate's own clone is of the very commit the others check.
	for _, task := range []string{"fetch-source", "fetch-source-terraform"} {
		if fetch := runs[task]; fetch != nil && results(fetch)["commit"] != commit {
			t.Errorf("%s fetched %q, want commit %s", task, results(fetch)["commit"], commit)
		}
	}
	rep := runs["report"]
	if rep == nil {
		return nil
	}
	if c := rep.Status.GetCondition(apis.ConditionSucceeded); c == nil || c.Status != corev1.ConditionTrue {
		t.Errorf("report TaskRun %v: with on-error continue it succeeds, its exit code recorded", c)
	}
	if r := results(rep); failing && (r["status"] != "fail" || r["errors"] == "0" || r["errors"] == "") ||
		!failing && (r["status"] != "pass" || r["errors"] != "0") {
		t.Errorf("report results %v", r)
	}
	prResults := map[string]string{}
	for _, r := range pr.Status.Results {
		prResults[r.Name] = r.Value.StringVal
	}
	if prResults["status"] != results(rep)["status"] || prResults["errors"] != results(rep)["errors"] || prResults["warnings"] != results(rep)["warnings"] {
		t.Errorf("PipelineRun results %v, report's %v", prResults, results(rep))
	}
	// The reports are files on the run's volume.
	var claim string
	for _, ws := range rep.Spec.Workspaces {
		if ws.Name == "reports" && ws.PersistentVolumeClaim != nil {
			claim = ws.PersistentVolumeClaim.ClaimName
		}
	}
	if claim == "" {
		t.Fatalf("report's workspaces: %+v", rep.Spec.Workspaces)
	}
	dir := filepath.Join(w.claimPath(t, ns, claim), "reports", "merged")
	merged := readReport(t, filepath.Join(dir, "report.json"))
	ran := map[string]bool{}
	for _, c := range merged.Checks {
		ran[c.Tool] = c.Status == report.Ran
	}
	t.Logf("merged: %d errors, %d warnings; checks %v", merged.Summary.Errors, merged.Summary.Warnings, ran)
	if got := strconv.Itoa(merged.Summary.Errors); results(rep)["errors"] != got {
		t.Errorf("report result errors %q, merged report %s", results(rep)["errors"], got)
	}
	for _, f := range []string{"summary.md", "plumbline.sarif", "junit.xml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	return merged
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// TestTkn runs the quickstart's `tkn pipeline start` command as written,
// with its pvc.yaml and pod-template.yaml, changing only the values that
// name the reader's infrastructure.
func TestTkn(t *testing.T) {
	w := setup(t)
	in := install(t, w)
	doc, err := os.ReadFile(filepath.Join(w.root, "docs", "quickstart.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := codeBlocks(string(doc))
	dir := t.TempDir()
	var args, taskArgs []string
	for _, b := range blocks {
		switch {
		case strings.HasPrefix(b, "# pvc.yaml\n"), strings.HasPrefix(b, "# pod-template.yaml\n"):
			file, _, _ := strings.Cut(strings.TrimPrefix(b, "# "), "\n")
			if err := os.WriteFile(filepath.Join(dir, file), []byte(b), 0o644); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(b, "tkn pipeline start"):
			args = shellWords(t, b)
		case strings.HasPrefix(b, "tkn task start"):
			taskArgs = shellWords(t, b)
		}
	}
	if args == nil {
		t.Fatal("no tkn pipeline start command in docs/quickstart.md")
	}
	for _, f := range []string{"pvc.yaml", "pod-template.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("docs/quickstart.md has no %s block the command can use", f)
		}
	}
	set := map[string]string{"repo-url": in.repoURL, "dns-live": w.liveDNS(t), "terraform-offline": "true"}
	for i := 1; i < len(args); i++ {
		if args[i-1] != "-p" {
			continue
		}
		k, _, _ := strings.Cut(args[i], "=")
		if v, ok := set[k]; ok {
			args[i] = k + "=" + v
			delete(set, k)
		}
	}
	if len(set) > 0 {
		t.Fatalf("the quickstart command has no -p for %v", set)
	}
	t.Logf("tkn %s", strings.Join(args[1:], " "))
	cmd := exec.Command(filepath.Join(w.state, "bin", "tkn"), args[1:]...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	// --showlog follows the run to its end.
	if err != nil {
		t.Fatalf("tkn: %v\n%s", err, out)
	}
	name := started(t, out, "PipelineRun")
	head := run(t, in.repoDir, "git", "rev-parse", "main")
	w.checkInfraRun(t, name, head, infraWant(true))

	// The one-pod command of the same section, as written (the repository
	// changed): plumbline-validate, findings failing it by default.
	t.Run("task start", func(t *testing.T) {
		if taskArgs == nil {
			t.Fatal("no tkn task start command in docs/quickstart.md")
		}
		for i := 1; i < len(taskArgs); i++ {
			if taskArgs[i-1] == "-p" && strings.HasPrefix(taskArgs[i], "repo-url=") {
				taskArgs[i] = "repo-url=" + in.repoURL
			}
		}
		cmd := exec.Command(filepath.Join(w.state, "bin", "tkn"), taskArgs[1:]...)
		cmd.Dir = dir
		out, _ := cmd.CombinedOutput() // the run fails on the findings; tkn says so
		name := started(t, out, "TaskRun")
		w.checkValidateRun(t, ns, name, head, validateWant(true))
	})
}

// started is the name of the kind of run tkn's output says it started.
func started(t *testing.T, out []byte, kind string) string {
	t.Helper()
	for _, line := range strings.Split(string(out), "\n") {
		if _, n, ok := strings.Cut(line, kind+" started: "); ok {
			return strings.TrimSpace(n)
		}
	}
	t.Fatalf("tkn did not say which %s it started:\n%s", kind, out)
	return ""
}

// codeBlocks returns the fenced code blocks of a Markdown text.
func codeBlocks(md string) []string {
	var blocks []string
	var cur *strings.Builder
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "```") {
			if cur == nil {
				cur = &strings.Builder{}
			} else {
				blocks = append(blocks, cur.String())
				cur = nil
			}
			continue
		}
		if cur != nil {
			fmt.Fprintln(cur, line)
		}
	}
	return blocks
}

// shellWords splits a shell command written over several lines.
func shellWords(t *testing.T, cmd string) []string {
	t.Helper()
	words, err := shlex.Split(strings.ReplaceAll(cmd, "\\\n", " "))
	if err != nil {
		t.Fatal(err)
	}
	return words
}

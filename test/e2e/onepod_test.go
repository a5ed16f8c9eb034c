//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tektoncd/pipeline/pkg/apis/pipeline/pod"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"knative.dev/pkg/apis"
)

// validateWant is each step of plumbline-validate with its exit code on
// examples/homelab: the checks find the planted mistakes (1), and with
// onError: continue the report still runs and fails (1). policy-check
// runs in the fetch step, whose exit is the fetch's; the policy-check
// step checks only the plans, which an untrusted run has none of.
// prWant is each step's exit on a pull request of the example: the
// checks its change touches nothing of are skipped (exit 0);
// terraform-validate fails when it touches envs/lab, whose module has a
// planted secret.
func prWant(terraform bool) map[string]int32 {
	want := validateWant(false)
	want["ansible-lint-check"] = 0
	if !terraform {
		want["terraform-validate"] = 0
	}
	return want
}

func validateWant(dns bool) map[string]int32 {
	want := map[string]int32{"fetch": 0, "terraform-plan": 0, "policy-check": 0, "dns-zone-diff": 0, "terraform-validate": 1,
		"ansible-lint-check": 1, "report": 1}
	if dns {
		want["dns-zone-diff"] = 1
	}
	return want
}

// checkValidateRun waits for a TaskRun of plumbline-validate and checks
// each step's exit code, that it fetched commit, and its results; it
// returns the report step's log (the merged report, as text).
func (w *world) checkValidateRun(t *testing.T, namespace, name, commit string, want map[string]int32) string {
	t.Helper()
	tr := waitDone(t, "TaskRun", 10*time.Minute, w.tekton.TektonV1().TaskRuns(namespace).Get, name)
	cond := tr.Status.GetCondition(apis.ConditionSucceeded)
	res := results(tr)
	t.Logf("%s: %s %s (%s); results %v", tr.Name, cond.Status, cond.Reason, cond.Message, res)
	got := stepExits(tr)
	// When each step ended, from the TaskRun's start: a step's own
	// startedAt is when its container started, waiting for the one before
	// it (they all start together), so a duration from it says nothing.
	var ended []string
	if start := tr.Status.StartTime; start != nil {
		for _, s := range tr.Status.Steps {
			if s.Terminated != nil {
				ended = append(ended, fmt.Sprintf("%s +%.0fs", s.Name, s.Terminated.FinishedAt.Sub(start.Time).Seconds()))
			}
		}
		if tr.Status.CompletionTime != nil {
			ended = append(ended, fmt.Sprintf("whole run %.0fs", tr.Status.CompletionTime.Sub(start.Time).Seconds()))
		}
	}
	t.Logf("%s: steps ended (from the TaskRun's start, to the second) %s", tr.Name, strings.Join(ended, ", "))
	log := stepLog(namespace, tr, "report")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: step exit codes (-want +got):\n%s\nlogs:\n%s", tr.Name, diff, logs(namespace, tr))
	}
	// The report step decides the TaskRun, unless on-error is continue (the
	// trigger's): then it succeeds with the verdict in its results.
	failing := want["report"] != 0
	if paramValue(tr.Spec.Params, "on-error") == "continue" {
		if cond.Status != corev1.ConditionTrue {
			t.Errorf("%s: %s/%s, want Succeeded: on-error is continue", tr.Name, cond.Status, cond.Reason)
		}
	} else if failing && (cond.Status != corev1.ConditionFalse || cond.Reason != "Failed") ||
		!failing && cond.Status != corev1.ConditionTrue {
		t.Errorf("%s: %s/%s; the report step decides the TaskRun", tr.Name, cond.Status, cond.Reason)
	}
	if res["commit"] != commit {
		t.Errorf("fetched %q, want commit %s", res["commit"], commit)
	}
	if failing && (res["status"] != "fail" || res["errors"] == "0" || res["errors"] == "") ||
		!failing && (res["status"] != "pass" || res["errors"] != "0") {
		t.Errorf("results %v", res)
	}
	// The merged report refused nothing: every check's report is the one
	// its step wrote (report --expect-sha256 against its step result).
	if strings.Contains(log, "refused") || strings.Contains(log, "report unreadable") {
		t.Errorf("the report step refused a check's report:\n%s", log)
	}
	return log
}

// stepExits is each step's exit code, -1 for a step that did not end.
func stepExits(tr *pipelinev1.TaskRun) map[string]int32 {
	got := map[string]int32{}
	for _, s := range tr.Status.Steps {
		got[s.Name] = -1
		if s.Terminated != nil {
			got[s.Name] = s.Terminated.ExitCode
		}
	}
	return got
}

// mountedOnlyBy checks that of the TaskRun's pod's containers exactly
// container mounts something at path: an isolated workspace.
func (w *world) mountedOnlyBy(t *testing.T, tr *pipelinev1.TaskRun, path, container string) {
	t.Helper()
	p, err := w.kube.CoreV1().Pods(tr.Namespace).Get(context.Background(), tr.Status.PodName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Spec.Containers {
		mounted := slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == path })
		if mounted != (c.Name == container) {
			t.Errorf("container %s mounts %s: %v", c.Name, path, mounted)
		}
	}
}

// stepLog is one step's whole log.
func stepLog(namespace string, tr *pipelinev1.TaskRun, step string) string {
	out, _ := exec.Command("kubectl", "logs", "-n", namespace, tr.Status.PodName, "-c", "step-"+step).CombinedOutput()
	return string(out)
}

// checkStatus reads the check lines of a merged text report ("  policy-check  v  ran  3 errors…").
func checkStatus(log string) map[string]string {
	m := map[string]string{}
	for _, match := range regexp.MustCompile(`(?m)^  ([a-z-]+) +\S+ +(ran|skipped|did not run|report unreadable)`).FindAllStringSubmatch(log, -1) {
		m[match[1]] = match[2]
	}
	return m
}

// narrowed is checkStatus of the checks that narrow to a pull request's
// change, and policy-check, which reads the whole repository.
func narrowed(log string) map[string]string {
	m := checkStatus(log)
	delete(m, "terraform-plan")
	return m
}

// triggeredRun is a run a webhook started: a TaskRun (plumbline-validate,
// the default) or a PipelineRun (infra-validation).
type triggeredRun struct {
	kind, name, revision string
	created              time.Time
}

func (w *world) triggeredRuns(t *testing.T) []triggeredRun {
	t.Helper()
	sel := metav1.ListOptions{LabelSelector: "triggers.tekton.dev/eventlistener in (plumbline-github, plumbline-gitea)"}
	var runs []triggeredRun
	trs, err := w.tekton.TektonV1().TaskRuns(ns).List(context.Background(), sel)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range trs.Items {
		if _, child := tr.Labels["tekton.dev/pipelineRun"]; !child {
			runs = append(runs, triggeredRun{"TaskRun", tr.Name, paramValue(tr.Spec.Params, "revision"), tr.CreationTimestamp.Time})
		}
	}
	prs, err := w.tekton.TektonV1().PipelineRuns(ns).List(context.Background(), sel)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range prs.Items {
		runs = append(runs, triggeredRun{"PipelineRun", pr.Name, paramValue(pr.Spec.Params, "revision"), pr.CreationTimestamp.Time})
	}
	return runs
}

func paramValue(ps pipelinev1.Params, name string) string {
	for _, p := range ps {
		if p.Name == name {
			return p.Value.StringVal
		}
	}
	return ""
}

// waitTriggered waits for the one run a webhook started for revision that
// is not in before, and returns it.
func (w *world) waitTriggered(t *testing.T, before []triggeredRun, revision string) triggeredRun {
	t.Helper()
	known := func(r triggeredRun) bool {
		return slices.ContainsFunc(before, func(b triggeredRun) bool { return b.name == r.name })
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		var found []triggeredRun
		for _, r := range w.triggeredRuns(t) {
			if !known(r) && r.revision == revision {
				found = append(found, r)
			}
		}
		if len(found) > 1 {
			t.Fatalf("%d runs for one push: %v", len(found), found)
		}
		if len(found) == 1 {
			return found[0]
		}
	}
	var logs []string
	for _, el := range []string{"plumbline-github", "plumbline-gitea"} {
		out, _ := os.ReadFile(filepath.Join(w.state, "logs", "el-sink-"+el+".log"))
		logs = append(logs, el+":\n"+tail(string(out), 30))
	}
	t.Fatalf("no run for %s; sink logs:\n%s", revision, strings.Join(logs, "\n"))
	panic("unreachable")
}

var (
	listenerOnce sync.Once
	listenerKey  string
)

// listener starts the shipped EventListener's sink with a webhook secret
// (once) and returns the secret.
func (w *world) listener(t *testing.T) string {
	t.Helper()
	listenerOnce.Do(func() {
		secret := make([]byte, 16)
		if _, err := rand.Read(secret); err != nil {
			t.Fatal(err)
		}
		key := hex.EncodeToString(secret)
		kubectl(t, "", "create", "secret", "generic", "github-webhook", "-n", ns, "--from-literal=secret="+key)
		el := exec.Command(filepath.Join(w.root, "test", "e2e", "el-sink.sh"), ns, "plumbline-github", sinkPort)
		if out, err := el.CombinedOutput(); err != nil {
			t.Fatalf("el-sink.sh: %v\n%s", err, out)
		}
		listenerKey = key
	})
	if listenerKey == "" {
		t.Fatal("the EventListener did not start in an earlier test")
	}
	return listenerKey
}

// cost is what one validation took from the cluster.
type cost struct {
	pods, pvcs int
	// peakRequest is the most memory the run's pods requested at one
	// time (each pod's effective request: its containers' sum, or its
	// largest init container's if that is more); maxLimit the largest
	// limit of one container, which is what one step may use.
	peakRequest, maxLimit int64
	wall                  time.Duration
	start                 time.Time // the webhook POST
}

func (c cost) String() string {
	return fmt.Sprintf("%d pods, %d PVCs, %d Mi requested at peak, %d Mi largest container limit, %s from the webhook POST to completion",
		c.pods, c.pvcs, c.peakRequest>>20, c.maxLimit>>20, c.wall.Round(100*time.Millisecond))
}

// measure counts what the cluster made for the run that started after
// start (tests run one at a time): its pods and PVCs, their memory, and
// the time from start to the run's completion.
func (w *world) measure(t *testing.T, start, completed time.Time) cost {
	t.Helper()
	ctx := context.Background()
	c := cost{wall: completed.Sub(start)}
	pods, err := w.kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type edge struct {
		at    time.Time
		delta int64
	}
	var edges []edge
	for _, p := range pods.Items {
		if p.CreationTimestamp.Time.Before(start.Add(-time.Second)) || p.Labels["eventlistener"] != "" {
			continue
		}
		c.pods++
		var sum, initMax int64
		for _, ct := range p.Spec.Containers {
			sum += ct.Resources.Requests.Memory().Value()
			c.maxLimit = max(c.maxLimit, ct.Resources.Limits.Memory().Value())
		}
		for _, ct := range p.Spec.InitContainers {
			initMax = max(initMax, ct.Resources.Requests.Memory().Value())
		}
		req := max(sum, initMax)
		from, to := p.CreationTimestamp.Time, completed
		if p.Status.StartTime != nil {
			from = p.Status.StartTime.Time
		}
		for _, st := range p.Status.ContainerStatuses {
			if st.State.Terminated != nil && st.State.Terminated.FinishedAt.After(from) {
				to = st.State.Terminated.FinishedAt.Time
			}
		}
		edges = append(edges, edge{from, req}, edge{to, -req})
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].at.Equal(edges[j].at) {
			return edges[i].delta < edges[j].delta
		}
		return edges[i].at.Before(edges[j].at)
	})
	var now int64
	for _, e := range edges {
		now += e.delta
		c.peakRequest = max(c.peakRequest, now)
	}
	pvcs, err := w.kube.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, pvc := range pvcs.Items {
		if !pvc.CreationTimestamp.Time.Before(start.Add(-time.Second)) {
			c.pvcs++
		}
	}
	return c
}

// timeline logs when, after the webhook POST at start, the run's pod was
// created and each of its containers ran (whole seconds: what the API
// keeps), to show where the time of a one-pod run goes.
func (w *world) timeline(t *testing.T, start time.Time, tr *pipelinev1.TaskRun) {
	t.Helper()
	p, err := w.kube.CoreV1().Pods(ns).Get(context.Background(), tr.Status.PodName, metav1.GetOptions{})
	if err != nil {
		t.Logf("no pod: %v", err)
		return
	}
	at := func(m metav1.Time) string { return fmt.Sprintf("%+.0fs", m.Sub(start).Seconds()) }
	lines := []string{"TaskRun created " + at(tr.CreationTimestamp), "pod created " + at(p.CreationTimestamp)}
	for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for _, c := range list {
			if term := c.State.Terminated; term != nil {
				lines = append(lines, fmt.Sprintf("%s %s..%s", c.Name, at(term.StartedAt), at(term.FinishedAt)))
			}
		}
	}
	t.Logf("%s after the POST: %s", p.Name, strings.Join(lines, ", "))
	t.Logf("%s steps, to the millisecond: %s", p.Name, stepTimes(start, p))
}

// stepTimes says, for each step in order, when it started (the StartedAt
// Tekton's entrypoint writes to the millisecond once the step before it
// has ended) and when it last wrote to its log, from start; and how long
// each step waited between the one before it falling silent and its own
// start: Tekton's entrypoint looks for the previous step's end once a
// second.
func stepTimes(start time.Time, p *corev1.Pod) string {
	status := map[string]corev1.ContainerStatus{}
	for _, c := range p.Status.ContainerStatuses {
		status[c.Name] = c
	}
	var parts []string
	var last time.Time
	var waited time.Duration
	for _, c := range p.Spec.Containers {
		term := status[c.Name].State.Terminated
		if term == nil {
			continue
		}
		var began time.Time
		var entries []struct{ Key, Value string }
		if json.Unmarshal([]byte(term.Message), &entries) == nil {
			for _, e := range entries {
				if e.Key == "StartedAt" {
					began, _ = time.Parse("2006-01-02T15:04:05.000Z07:00", e.Value)
				}
			}
		}
		out, _ := exec.Command("kubectl", "logs", "--timestamps", "-n", p.Namespace, p.Name, "-c", c.Name).Output()
		var spoke, fetched time.Time
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if lines[len(lines)-1] != "" {
			spoke, _ = time.Parse(time.RFC3339Nano, strings.Fields(lines[len(lines)-1])[0])
		}
		for _, l := range lines {
			// git-init's last line: the fetch step runs policy-check after it.
			if strings.Contains(l, "Successfully cloned") {
				fetched, _ = time.Parse(time.RFC3339Nano, strings.Fields(l)[0])
			}
		}
		at := func(x time.Time) string {
			if x.IsZero() {
				return "?"
			}
			return fmt.Sprintf("%+.2fs", x.Sub(start).Seconds())
		}
		part := fmt.Sprintf("%s started %s, last output %s", strings.TrimPrefix(c.Name, "step-"), at(began), at(spoke))
		if !fetched.IsZero() {
			part += fmt.Sprintf(" (fetched %s, policy-check after)", at(fetched))
		}
		if !last.IsZero() && !began.IsZero() && began.After(last) {
			part += fmt.Sprintf(" (waited %.2fs)", began.Sub(last).Seconds())
			waited += began.Sub(last)
		}
		parts = append(parts, part)
		last = spoke // a silent step: its end is not known, nor the next one's wait
	}
	return fmt.Sprintf("%s; %.2fs between steps in all", strings.Join(parts, "; "), waited.Seconds())
}

// TestOnePod is issue 18's comparison, on the same repository and
// cluster: the same signed push, once to the shipped EventListener
// (plumbline-validate, one pod) and once with its push trigger pointed at
// the infra-validation Pipeline; pods, PVCs, memory requested and the
// time from the webhook POST to completion. First, plumbline-validate
// under an assigned UID, as OpenShift's restricted policy runs it, which
// also puts every image on the node: neither measured run pulls one.
func TestOnePod(t *testing.T) {
	w := setup(t)
	in := install(t, w)
	key := w.listener(t)
	sha := run(t, in.repoDir, "git", "rev-parse", "main")
	push := pushEvent("refs/heads/main", sha, in.repoURL, []string{"terraform/envs/lab/main.tf"})

	// Under an assigned UID (OpenShift's restricted SCC), all steps run.
	// It runs first, so both measured runs find every image on the node.
	t.Run("uid", func(t *testing.T) {
		const uid = 1000650000
		tr := validateTaskRun(ns, "validate-uid-", in.repoURL, sha)
		tr.Spec.PodTemplate.SecurityContext = &corev1.PodSecurityContext{
			RunAsUser: ptr.To[int64](uid), RunAsGroup: ptr.To[int64](0), FSGroup: ptr.To[int64](uid)}
		created, err := w.tekton.TektonV1().TaskRuns(ns).Create(context.Background(), tr, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		w.checkValidateRun(t, ns, created.Name, sha, validateWant(true))
	})

	// ansible-lint in the pod against the same check on this host, warm
	// (its second run), on the same commit: issue 37 section 1.
	hostLint := hostAnsibleLint(t, w, in.repoDir, sha)

	// Nine runs of each, the one pod first (the node's page cache holds
	// what the Pipeline's pods then read too): every run is logged, the
	// median of the ratios is asserted.
	var onePods, pipelines []cost
	var podLint []float64
	for i := range speedRuns {
		c, tr := w.timedValidate(t, push, key, sha, validateWant(true))
		onePods = append(onePods, c)
		if i == 0 {
			w.timeline(t, c.start, tr)
		}
		if d, ok := lintTime(stepLog(ns, tr, "ansible-lint-check")); ok {
			podLint = append(podLint, d)
		}
	}
	kubectl(t, "", "patch", "trigger", "plumbline-github-push", "-n", ns, "--type=json",
		"-p", `[{"op": "replace", "path": "/spec/template/ref", "value": "plumbline-infra-validation"}]`)
	restore := func() {
		kubectl(t, "", "patch", "trigger", "plumbline-github-push", "-n", ns, "--type=json",
			"-p", `[{"op": "replace", "path": "/spec/template/ref", "value": "plumbline-validate"}]`)
		time.Sleep(5 * time.Second) // the sink reads the Trigger from its informer
	}
	restored := false
	defer func() {
		if !restored {
			restore()
		}
	}()
	time.Sleep(5 * time.Second)
	for range speedRuns {
		before := w.triggeredRuns(t)
		start := time.Now()
		w.post(t, push, key, "")
		r := w.waitTriggered(t, before, sha)
		if r.kind != "PipelineRun" {
			t.Fatalf("the patched trigger started a %s, want a PipelineRun", r.kind)
		}
		end := doneAt(t, w.tekton.TektonV1().PipelineRuns(ns).Get, r.name)
		w.checkInfraRun(t, r.name, sha, infraWant(true))
		pr, err := w.tekton.TektonV1().PipelineRuns(ns).Get(context.Background(), r.name, metav1.GetOptions{})
		if err != nil || pr.Status.CompletionTime == nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		pipelines = append(pipelines, w.measure(t, start, end))
	}
	restore()
	restored = true

	var lines []string
	var ratios []float64
	for i := range speedRuns {
		ratio := float64(pipelines[i].wall) / float64(onePods[i].wall)
		ratios = append(ratios, ratio)
		lines = append(lines, fmt.Sprintf("run %d: plumbline-validate %s, infra-validation %s: %.2fx",
			i+1, onePods[i].wall.Round(100*time.Millisecond), pipelines[i].wall.Round(100*time.Millisecond), ratio))
	}
	slices.Sort(ratios)
	median := ratios[len(ratios)/2]
	walls := make([]time.Duration, 0, speedRuns)
	for _, c := range onePods {
		walls = append(walls, c.wall)
	}
	slices.Sort(walls)
	summary := fmt.Sprintf("plumbline-validate:  %s\ninfra-validation:    %s\n%s\none pod is %.2fx as fast, end to end (median of %d; lowest %.2fx); plumbline-validate's median %s from the POST\n",
		onePods[0], pipelines[0], strings.Join(lines, "\n"), median, speedRuns, ratios[0], walls[len(walls)/2].Round(100*time.Millisecond))

	if len(podLint) > 0 {
		slices.Sort(podLint)
		summary += fmt.Sprintf("ansible-lint on the example: %.1fs in the pod (median of %d), %.1fs on this host (warm): %.2fx (goal 1.2x)\n",
			podLint[len(podLint)/2], len(podLint), hostLint, podLint[len(podLint)/2]/hostLint)
	} else {
		t.Errorf("no ansible-lint time in the ansible-lint-check step's log")
	}

	// A pull request touching only kubernetes/: terraform-validate,
	// ansible-lint and dns-zone-diff are skipped, saying why.
	work := t.TempDir()
	run(t, work, "git", "clone", "-q", in.repoDir, ".")
	run(t, work, "git", "checkout", "-q", "-b", "k8s-only")
	dep := filepath.Join(work, "kubernetes", "base", "deployment.yaml")
	if _, err := os.Stat(dep); err != nil {
		t.Fatalf("the example has no %s: %v", dep, err)
	}
	f := must(os.OpenFile(dep, os.O_APPEND|os.O_WRONLY, 0))
	fmt.Fprintf(f, "# a pull request's comment\n")
	f.Close()
	run(t, work, "git", "add", "-A")
	prSHA := commit(t, work, "kubernetes only")
	run(t, work, "git", "push", "-q", "origin", "HEAD:refs/heads/k8s-only")
	// Three runs of the same pull request event: one run's time is mostly
	// where the steps fall on Tekton's one-second poll.
	var prWalls []time.Duration
	var merged string
	for range 3 {
		before := w.triggeredRuns(t)
		start := time.Now()
		w.postEvent(t, "pull_request", pullRequestEvent(sha, prSHA, in.repoURL, "COLLABORATOR"), key, "")
		r := w.waitTriggered(t, before, prSHA)
		end := doneAt(t, w.tekton.TektonV1().TaskRuns(ns).Get, r.name)
		merged = w.checkValidateRun(t, ns, r.name, prSHA, prWant(false))
		tr, err := w.tekton.TektonV1().TaskRuns(ns).Get(context.Background(), r.name, metav1.GetOptions{})
		if err != nil || tr.Status.CompletionTime == nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		prWalls = append(prWalls, end.Sub(start))
		w.timeline(t, start, tr)
	}
	var prRuns []string
	for _, d := range prWalls {
		prRuns = append(prRuns, d.Round(100*time.Millisecond).String())
	}
	slices.Sort(prWalls)
	prWall := prWalls[len(prWalls)/2]
	summary += fmt.Sprintf("a pull request touching only kubernetes/: %s from the POST (median of %s)\n", prWall.Round(100*time.Millisecond), strings.Join(prRuns, ", "))
	if got, want := narrowed(merged), map[string]string{"terraform-validate": "skipped", "ansible-lint-check": "skipped", "dns-zone-diff": "skipped", "policy-check": "ran"}; !maps.Equal(got, want) {
		t.Errorf("a pull request touching only kubernetes/: checks %v, want %v\n%s", got, want, tail(merged, 40))
	}

	t.Logf("issue 18 and 37 measurement, same push, same cluster:\n%s", summary)
	os.WriteFile(filepath.Join(w.state, "onepod-measurement.txt"), []byte(summary), 0o644)
	if c := onePods[0]; c.pods != 1 || c.pvcs != 0 || c.peakRequest > 512<<20 || c.maxLimit > 1<<30 {
		t.Errorf("plumbline-validate: %s; want 1 pod, 0 PVCs, at most 512 Mi requested and 1 Gi per step", c)
	}
	// The floor: below it, something got slower. Issue 37's goal (a
	// median of 2.5x, no run below 2x, 6 s from the POST, 4 s for a
	// pull request touching only kubernetes/) is said when missed.
	if median < 1.5 {
		t.Errorf("one pod is only %.2fx as fast as the Pipeline (median of %d): slower than before", median, speedRuns)
	}
	if median < 2.5 || ratios[0] < 2 || walls[len(walls)/2] > 6*time.Second || prWall > 4*time.Second {
		t.Logf("issue 37's goal not met on this machine: median %.2fx (goal 2.5x), lowest %.2fx (goal 2x), median %s from the POST (goal 6 s), pull request %s (goal 4 s)",
			median, ratios[0], walls[len(walls)/2].Round(100*time.Millisecond), prWall.Round(100*time.Millisecond))
	}
}

// lintTime reads the time ansible-lint took from ansible-lint-check's
// progress line ("ansible-lint-check: ansible: 9 findings (1.4s)").
func lintTime(log string) (float64, bool) {
	m := regexp.MustCompile(`ansible-lint-check: \S+: \d+ findings \((\d+\.\d)s\)`).FindStringSubmatch(log)
	if m == nil {
		return 0, false
	}
	var d float64
	_, err := fmt.Sscan(m[1], &d)
	return d, err == nil
}

// hostAnsibleLint runs ansible-lint-check on this host on commit sha of
// the repository, twice, and returns the second (warm) run's ansible-lint
// time.
func hostAnsibleLint(t *testing.T, w *world, repo, sha string) float64 {
	t.Helper()
	dir, bin := t.TempDir(), filepath.Join(t.TempDir(), "ansible-lint-check")
	run(t, dir, "git", "clone", "-q", repo, ".")
	run(t, dir, "git", "checkout", "-q", sha)
	build := exec.Command("go", "build", "-o", bin, "./images/ansible-lint-check")
	build.Dir = w.root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var d float64
	for range 2 {
		cmd := exec.Command(bin, "--chdir", dir)
		out, _ := cmd.CombinedOutput() // exit 1: the example's findings
		var ok bool
		if d, ok = lintTime(string(out)); !ok {
			t.Fatalf("ansible-lint-check on the host said no time:\n%s", out)
		}
	}
	return d
}

// doneAt waits for the run to be done, asking every 50 ms, and returns
// when it was first seen so: a run's CompletionTime is stored to the
// second, cut short, which made every run look up to a second quicker
// than it was (the Pipeline's as much as the one pod's, so the ratio
// flattered the one pod).
func doneAt[R interface{ IsDone() bool }](t *testing.T, get func(context.Context, string, metav1.GetOptions) (R, error), name string) time.Time {
	t.Helper()
	_, at := waitDoneEvery(t, "run", 10*time.Minute, 50*time.Millisecond, get, name)
	return at
}

// speedRuns is how many times TestOnePod runs each of the two.
const speedRuns = 9

// timedValidate posts push, waits for the plumbline-validate TaskRun it
// starts, checks its steps, and measures it from the POST.
func (w *world) timedValidate(t *testing.T, push []byte, key, sha string, want map[string]int32) (cost, *pipelinev1.TaskRun) {
	t.Helper()
	before := w.triggeredRuns(t)
	start := time.Now()
	w.post(t, push, key, "")
	r := w.waitTriggered(t, before, sha)
	if r.kind != "TaskRun" {
		t.Fatalf("the shipped trigger started a %s, want a TaskRun of plumbline-validate", r.kind)
	}
	end := doneAt(t, w.tekton.TektonV1().TaskRuns(ns).Get, r.name)
	w.checkValidateRun(t, ns, r.name, sha, want)
	tr, err := w.tekton.TektonV1().TaskRuns(ns).Get(context.Background(), r.name, metav1.GetOptions{})
	if err != nil || tr.Status.CompletionTime == nil {
		t.Fatalf("%s: %v", r.name, err)
	}
	c := w.measure(t, start, end)
	c.start = start
	return c, tr
}

// noToken checks that the pod of TaskRun name has no service-account
// token: automounting off, and no projected token in any volume or at the
// path Kubernetes mounts it.
func (w *world) noToken(t *testing.T, name string) {
	t.Helper()
	tr, err := w.tekton.TektonV1().TaskRuns(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod, err := w.kube.CoreV1().Pods(ns).Get(context.Background(), tr.Status.PodName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a := pod.Spec.AutomountServiceAccountToken; a == nil || *a {
		t.Errorf("%s: automountServiceAccountToken is %v", pod.Name, a)
	}
	for _, v := range pod.Spec.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, src := range v.Projected.Sources {
			if src.ServiceAccountToken != nil {
				t.Errorf("%s: volume %s projects a service-account token", pod.Name, v.Name)
			}
		}
	}
	for _, c := range append(pod.Spec.InitContainers, pod.Spec.Containers...) {
		for _, m := range c.VolumeMounts {
			if strings.HasPrefix(m.MountPath, "/var/run/secrets/kubernetes.io") {
				t.Errorf("%s: container %s mounts %s at %s", pod.Name, c.Name, m.Name, m.MountPath)
			}
		}
	}
}

// validateTaskRun is a TaskRun of plumbline-validate on revision of
// repoURL, as a user starts one: no service-account token in the pod.
func validateTaskRun(namespace, generateName, repoURL, revision string) *pipelinev1.TaskRun {
	return &pipelinev1.TaskRun{
		ObjectMeta: metav1.ObjectMeta{GenerateName: generateName, Namespace: namespace},
		Spec: pipelinev1.TaskRunSpec{
			TaskRef: &pipelinev1.TaskRef{Name: "plumbline-validate"},
			Params: pipelinev1.Params{
				{Name: "repo-url", Value: *pipelinev1.NewStructuredValues(repoURL)},
				{Name: "revision", Value: *pipelinev1.NewStructuredValues(revision)},
			},
			PodTemplate: &pod.Template{AutomountServiceAccountToken: ptr.To(false)},
		},
	}
}

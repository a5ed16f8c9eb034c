//go:build e2e

package e2e

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sinkPort is where the EventListener's sink listens on loopback.
const sinkPort = "18095"

// TestPush is "git push": a new commit lands on the git server's main and
// GitHub's push webhook for it, signed with the EventListener's secret, is
// POSTed to the EventListener (the shipped triggers/, through the real
// GitHub and CEL interceptors); a PipelineRun for exactly that commit
// appears and completes. An unsigned or wrongly signed POST, a push to
// another branch, and a push touching only docs create nothing.
func TestPush(t *testing.T) {
	w := setup(t)
	in := install(t, w)
	key := w.listener(t)

	work := t.TempDir()
	run(t, work, "git", "clone", "-q", in.repoDir, ".")
	push := func(branch, file, msg string) (string, []string) {
		run(t, work, "git", "checkout", "-q", "-B", branch, "origin/main")
		os.MkdirAll(filepath.Dir(filepath.Join(work, file)), 0o755)
		f, err := os.OpenFile(filepath.Join(work, file), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(f, "\n# %s\n", msg)
		f.Close()
		run(t, work, "git", "add", file)
		sha := commit(t, work, msg)
		run(t, work, "git", "push", "-q", "origin", "HEAD:refs/heads/"+branch)
		return sha, []string{file}
	}

	// Rejected first, so that any run they started would be seen.
	before := w.triggeredRuns(t)
	interceptors := filepath.Join(w.state, "logs", "triggers-interceptors.log")
	logStart := fileSize(interceptors)
	sha, files := push("feature", "terraform/envs/lab/main.tf", "feature work")
	w.post(t, pushEvent("refs/heads/feature", sha, in.repoURL, files), key, "")
	sha, files = push("main", "docs/notes.md", "notes only")
	w.post(t, pushEvent("refs/heads/main", sha, in.repoURL, files), key, "")
	body := pushEvent("refs/heads/main", sha, in.repoURL, []string{"terraform/envs/lab/main.tf"})
	w.post(t, body, "", "")                                 // unsigned
	w.post(t, body, "not-the-secret", "")                   // wrongly signed
	w.post(t, body, key, "sha256="+strings.Repeat("0", 64)) // forged header
	// Each was stopped by the interceptor meant to stop it (the log line
	// the interceptors server writes for each refusal), and nothing ran.
	reasons := map[string]int{
		"no X-Hub-Signature-256 header set":          1,
		"payload signature check failed":             2,
		"expression body.ref in extensions.branches": 2, // feature branch, docs only
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := readFrom(interceptors, logStart)
		missing := []string{}
		for reason, n := range reasons {
			if c := strings.Count(got, "Continue:false Status:{Code:FailedPrecondition Message:"+reason); c < n {
				missing = append(missing, fmt.Sprintf("%q %d/%d", reason, c, n))
			}
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the interceptors did not refuse: %v\n%s", missing, tail(got, 20))
		}
		time.Sleep(time.Second)
	}
	time.Sleep(3 * time.Second)
	if after := w.triggeredRuns(t); len(after) != len(before) {
		t.Fatalf("rejected pushes started runs: %v (before %v)", after, before)
	}

	// The shipped trigger starts plumbline-validate, one TaskRun, for
	// exactly the pushed commit. The template passes no layout: the
	// repository's .plumbline.yaml does (terraform offline, and both DNS
	// zones against two snapshots, one drifted), so a webhook run checks
	// what the repository says, DNS included.
	before = w.triggeredRuns(t)
	sha, files = push("main", "terraform/envs/lab/main.tf", "resize the VM")
	w.post(t, pushEvent("refs/heads/main", sha, in.repoURL, files), key, "")
	r := w.waitTriggered(t, before, sha)
	if r.kind != "TaskRun" {
		t.Fatalf("the push started a %s, want a TaskRun of plumbline-validate", r.kind)
	}
	merged := w.checkValidateRun(t, ns, r.name, sha, validateWant(true))
	w.noToken(t, r.name)
	if !strings.Contains(merged, "dns/server-drift") {
		t.Errorf("a webhook run did not diff the zones of .plumbline.yaml: no dns/server-drift in\n%s", tail(merged, 40))
	}

	// Pull requests from a fork: a stranger's starts nothing (the CEL
	// filter says why in the interceptors' log), nor does the stranger's
	// own "/ok-to-test"; the owner's "/ok-to-test" runs the pull request's
	// head, fetched as refs/pull/7/head from the repository (where GitHub
	// keeps it); a collaborator's pull request runs at once.
	push("stranger", "terraform/envs/lab/main.tf", "a stranger's change")
	// The pull request also scales a chart's release: its comment shows
	// what that deploys (k8s/change), that field and no other.
	prSHA := scaleWhoami(t, work)
	run(t, work, "git", "push", "-q", "origin", "HEAD:refs/pull/7/head")
	before = w.triggeredRuns(t)
	logStart = fileSize(interceptors)
	w.postEvent(t, "pull_request", pullRequestEvent(sha, prSHA, in.repoURL, "FIRST_TIME_CONTRIBUTOR"), key, "")
	w.postEvent(t, "issue_comment", okToTestEvent(in.repoURL, 7, "NONE"), key, "")
	refusals := map[string]string{
		"pull request": "Message:expression header.match('X-GitHub-Event', 'pull_request') && body.action in",
		"own comment":  "Message:expression header.match('X-GitHub-Event', 'issue_comment') && body.action == 'created'",
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Second) {
		got := readFrom(interceptors, logStart)
		missing := []string{}
		for what, line := range refusals {
			if !strings.Contains(got, "Continue:false Status:{Code:FailedPrecondition "+line) {
				missing = append(missing, what)
			}
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the CEL filters did not refuse a stranger's %v:\n%s", missing, tail(got, 20))
		}
	}
	time.Sleep(2 * time.Second)
	if after := w.triggeredRuns(t); len(after) != len(before) {
		t.Fatalf("a stranger's pull request or comment started a run: %v", after)
	}
	// Main moves on before the owner's "/ok-to-test" (a second release
	// added), and the comment's run takes main's tip as the base: the
	// pull request's change still counts from where it left main, so
	// main's later commit does not read as the pull request removing
	// that release.
	run(t, work, "git", "checkout", "-q", "-B", "later", sha)
	whoami := run(t, work, "git", "show", sha+":argocd/whoami.yaml")
	os.WriteFile(filepath.Join(work, "argocd", "whoami-dev.yaml"), []byte(strings.ReplaceAll(whoami, "whoami-prod", "whoami-dev")+"\n"), 0o644)
	run(t, work, "git", "add", "argocd/whoami-dev.yaml")
	commit(t, work, "a dev whoami")
	run(t, work, "git", "push", "-q", "origin", "HEAD:refs/heads/main")
	run(t, work, "git", "checkout", "-q", "stranger")
	w.postEvent(t, "issue_comment", okToTestEvent(in.repoURL, 7, "OWNER"), key, "")
	r = w.waitTriggered(t, before, "refs/pull/7/head")
	// Its change touches terraform/envs/lab (the stranger's line) and an
	// Application: Ansible and DNS are skipped, saying why.
	merged = w.checkValidateRun(t, ns, r.name, prSHA, prWant(true))
	if got, want := narrowed(merged), map[string]string{"terraform-validate": "ran", "ansible-lint-check": "skipped", "dns-zone-diff": "skipped", "policy-check": "ran"}; !maps.Equal(got, want) {
		t.Errorf("the pull request's checks %v, want %v\n%s", got, want, tail(merged, 40))
	}
	if !strings.Contains(merged, "k8s/change  Application argocd/whoami-prod: changed Deployment whoami-prod") ||
		!strings.Contains(merged, "+  replicas: 3") {
		t.Errorf("the pull request's run does not show what it deploys:\n%s", tail(merged, 60))
	}
	if strings.Contains(merged, "whoami-dev") {
		t.Errorf("the pull request's run counts main's later commit as its own change:\n%s", tail(merged, 60))
	}
	w.noToken(t, r.name)
	run(t, work, "git", "push", "-q", "-f", "origin", sha+":refs/heads/main")
	before = w.triggeredRuns(t)
	// A collaborator's pull request with nothing in it: every check is
	// skipped, saying why, and the run passes.
	w.postEvent(t, "pull_request", pullRequestEvent(sha, sha, in.repoURL, "COLLABORATOR"), key, "")
	r = w.waitTriggered(t, before, sha)
	merged = w.checkValidateRun(t, ns, r.name, sha, map[string]int32{"fetch": 0, "terraform-plan": 0, "policy-check": 0,
		"dns-zone-diff": 0, "terraform-validate": 0, "ansible-lint-check": 0, "report": 0})
	if got, want := narrowed(merged), map[string]string{"terraform-validate": "skipped", "ansible-lint-check": "skipped", "dns-zone-diff": "skipped", "policy-check": "skipped"}; !maps.Equal(got, want) {
		t.Errorf("an empty pull request's checks %v, want %v\n%s", got, want, tail(merged, 40))
	}

	// A repository that has only terraform/ and a config: pushed, it runs
	// green, Ansible skipped (not there), policies disabled, DNS not
	// configured; each says so in the summary.
	git := filepath.Join(w.state, "git")
	only := t.TempDir()
	os.MkdirAll(filepath.Join(only, "terraform"), 0o755)
	os.WriteFile(filepath.Join(only, "terraform", "main.tf"), []byte("variable \"name\" {\n  type        = string\n  description = \"The VM's name.\"\n}\n"), 0o644)
	os.WriteFile(filepath.Join(only, ".plumbline.yaml"), []byte("version: 1\nterraform:\n  offline: true\npolicy:\n  enabled: false\n"), 0o644)
	bare := gitRepo(t, only, filepath.Join(git, "tfonly.git"))
	onlySHA := run(t, bare, "git", "rev-parse", "main")
	before = w.triggeredRuns(t)
	w.post(t, pushEvent("refs/heads/main", onlySHA, "git://"+w.hostIP+"/tfonly.git", []string{"terraform/main.tf"}), key, "")
	r = w.waitTriggered(t, before, onlySHA)
	green := map[string]int32{"fetch": 0, "terraform-plan": 0, "policy-check": 0, "dns-zone-diff": 0, "terraform-validate": 0,
		"ansible-lint-check": 0, "report": 0}
	merged = w.checkValidateRun(t, ns, r.name, onlySHA, green)
	want := map[string]string{"terraform-validate": "ran", "terraform-plan": "ran", "ansible-lint-check": "skipped", "policy-check": "skipped", "dns-zone-diff": "skipped"}
	if got := checkStatus(merged); !maps.Equal(got, want) {
		t.Errorf("checks %v, want %v\n%s", got, want, merged)
	}
}

// pullRequestEvent is GitHub's pull_request event for a pull request
// against main at base whose head is sha, in a fork at cloneURL, by an
// author GitHub calls association.
// scaleWhoami commits, in the checkout work, the prod whoami release
// scaled from 2 replicas to 3 (a value of its ArgoCD Application), and
// returns the commit.
func scaleWhoami(t *testing.T, work string) string {
	t.Helper()
	app := filepath.Join(work, "argocd", "whoami.yaml")
	data := must(os.ReadFile(app))
	if !bytes.Contains(data, []byte("replicaCount: 2")) {
		t.Fatalf("argocd/whoami.yaml has no replicaCount: 2:\n%s", data)
	}
	os.WriteFile(app, bytes.Replace(data, []byte("replicaCount: 2"), []byte("replicaCount: 3"), 1), 0o644)
	run(t, work, "git", "add", "argocd/whoami.yaml")
	return commit(t, work, "scale whoami")
}

func pullRequestEvent(base, sha, cloneURL, association string) []byte {
	ev := map[string]any{
		"action": "opened", "number": 7,
		"pull_request": map[string]any{
			"number": 7, "state": "open", "author_association": association,
			"user": map[string]any{"login": "someone"},
			"head": map[string]any{"ref": "feature", "sha": sha,
				"repo": map[string]any{"full_name": "someone/infra", "clone_url": cloneURL}},
			"base": map[string]any{"ref": "main", "sha": base,
				"repo": map[string]any{"full_name": "homelab/infra", "clone_url": cloneURL}},
		},
		"repository": map[string]any{"name": "infra", "full_name": "homelab/infra", "clone_url": cloneURL, "default_branch": "main"},
		"sender":     map[string]any{"login": "someone"},
	}
	b, _ := json.Marshal(ev)
	return b
}

// okToTestEvent is GitHub's issue_comment event for the comment
// "/ok-to-test" on pull request number, by a commenter GitHub calls
// association.
func okToTestEvent(cloneURL string, number int, association string) []byte {
	ev := map[string]any{
		"action": "created",
		"issue": map[string]any{"number": number, "state": "open", "user": map[string]any{"login": "someone"}, "author_association": "NONE",
			"pull_request": map[string]any{"url": fmt.Sprintf("https://api.github.com/repos/homelab/infra/pulls/%d", number)}},
		"comment": map[string]any{"body": "/ok-to-test", "author_association": association,
			"user": map[string]any{"login": "commenter"}},
		"repository": map[string]any{"name": "infra", "full_name": "homelab/infra", "clone_url": cloneURL, "default_branch": "main"},
		"sender":     map[string]any{"login": "commenter"},
	}
	b, _ := json.Marshal(ev)
	return b
}

// pushEvent is GitHub's push event payload, with the fields the
// TriggerBinding and the GitHub interceptor's addChangedFiles read.
func pushEvent(ref, sha, cloneURL string, modified []string) []byte {
	ev := map[string]any{
		"ref": ref, "before": strings.Repeat("0", 40), "after": sha, "created": false, "deleted": false,
		"repository": map[string]any{"name": "homelab", "full_name": "homelab/infra", "clone_url": cloneURL,
			"default_branch": "main"},
		"head_commit": map[string]any{"id": sha, "message": "e2e"},
		"commits":     []any{map[string]any{"id": sha, "added": []string{}, "removed": []string{}, "modified": modified}},
		"pusher":      map[string]any{"name": "e2e"},
	}
	b, _ := json.Marshal(ev)
	return b
}

// post sends a push event to the EventListener as GitHub would, signed
// with key (none if empty) unless sig forces the header.
func (w *world) post(t *testing.T, body []byte, key, sig string) {
	t.Helper()
	w.postEvent(t, "push", body, key, sig)
}

// postEvent sends a GitHub event of that type to the EventListener.
func (w *world) postEvent(t *testing.T, event string, body []byte, key, sig string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:"+sinkPort, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("e2e-%d", time.Now().UnixNano()))
	if key != "" && sig == "" {
		mac := hmac.New(sha256.New, []byte(key))
		mac.Write(body)
		sig = "sha256=" + hex.EncodeToString(mac.Sum(nil))
	}
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	t.Logf("POST (key %q, sig %q): %s %s", key, sig, resp.Status, bytes.TrimSpace(b))
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// readFrom is a file's content from offset on.
func readFrom(path string, offset int64) string {
	data, _ := os.ReadFile(path)
	if int64(len(data)) < offset {
		return ""
	}
	return string(data[offset:])
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

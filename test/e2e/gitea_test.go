//go:build e2e

package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plumbline/plumbline/internal/giteatest"
	"github.com/plumbline/plumbline/internal/gotool"
	"github.com/plumbline/plumbline/pkg/forge"
)

// giteaSinkPort is where the Gitea EventListener's sink listens.
const giteaSinkPort = "18096"

// TestGitea is a homelab on Gitea: a real Gitea on the pods' bridge holds
// the repository and sends its own signed webhooks to the EventListener
// plumbline-gitea (triggers/gitea/), whose trigger group asks
// Plumbline's interceptor (the forge-interceptor binary, over TLS, its
// ClusterInterceptor from hack/forge-interceptor-tls.sh) before the CEL
// filters. A push runs plumbline-validate, which Succeeds with its verdict
// and posts the commit status to Gitea; a delivery with a wrong signature
// and one with none start nothing (the interceptor says why); a stranger's
// pull request from a fork starts nothing until the owner comments
// /ok-to-test, which runs it and comments on it. No run's pod has a
// service-account token.
func TestGitea(t *testing.T) {
	w := setup(t)
	in := install(t, w)

	// The webhook secret, in the Secret the interceptor mounts (a file
	// per key, as a volume holds it).
	raw := make([]byte, 16)
	rand.Read(raw)
	key := hex.EncodeToString(raw)
	secrets := t.TempDir()
	os.WriteFile(filepath.Join(secrets, "secret"), []byte(key), 0o600)
	interceptorLog := w.forgeInterceptor(t, secrets)

	// Gitea, with the example repository, a bot that may post statuses and
	// comments, and a stranger.
	srv := giteatest.StartOn(t, w.hostIP)
	srv.User("homelab")
	srv.User("plumbline-bot")
	srv.User("stranger")
	srv.API("admin", http.MethodPost, "/admin/users/homelab/repos", map[string]any{"name": "infra", "default_branch": "main"}, nil)
	srv.API("homelab", http.MethodPut, "/repos/homelab/infra/collaborators/plumbline-bot", map[string]any{"permission": "write"}, nil)
	work := t.TempDir()
	run(t, work, "git", "clone", "-q", in.repoDir, ".")
	run(t, work, "git", "push", "-q", srv.CloneURL("homelab", "homelab/infra"), "HEAD:refs/heads/main")
	token := srv.Token("plumbline-bot", "write:repository", "write:issue", "read:user")
	kubectl(t, kubectl(t, "", "create", "secret", "generic", "plumbline-notify", "-n", ns, "--from-literal=gitea-token="+token,
		"--dry-run=client", "-o", "yaml"), "apply", "-f", "-")
	kubectl(t, "", "apply", "-n", ns, "-f", filepath.Join(w.root, "triggers", "gitea"))
	// The one place that names the server.
	kubectl(t, "", "patch", "triggerbinding", "plumbline-gitea-settings", "-n", ns, "--type=json",
		"-p", fmt.Sprintf(`[{"op":"replace","path":"/spec/params/0/value","value":%q}]`, srv.URL))
	sink := exec.Command(filepath.Join(w.root, "test", "e2e", "el-sink.sh"), ns, "plumbline-gitea", giteaSinkPort)
	if out, err := sink.CombinedOutput(); err != nil {
		t.Fatalf("el-sink.sh: %v\n%s", err, out)
	}
	srv.API("homelab", http.MethodPost, "/repos/homelab/infra/hooks", map[string]any{"type": "gitea", "active": true,
		"events": []string{"push", "pull_request", "issue_comment"},
		"config": map[string]string{"url": "http://127.0.0.1:" + giteaSinkPort, "content_type": "json", "secret": key}}, nil)

	// A push: Gitea's own delivery starts the run, which checks exactly
	// that commit, succeeds with the verdict (the example's planted
	// mistakes: fail) and tells Gitea.
	before := w.triggeredRuns(t)
	os.WriteFile(filepath.Join(work, "terraform", "envs", "lab", "main.tf"), append(must(os.ReadFile(filepath.Join(work, "terraform", "envs", "lab", "main.tf"))), "\n# resized\n"...), 0o644)
	run(t, work, "git", "add", "-A")
	sha := commit(t, work, "resize the VM")
	run(t, work, "git", "push", "-q", srv.CloneURL("homelab", "homelab/infra"), "HEAD:refs/heads/main")
	r := w.waitTriggered(t, before, sha)
	w.checkValidateRun(t, ns, r.name, sha, validateWant(true))
	w.noToken(t, r.name)
	if state, st := srv.Status("homelab/infra", sha); state != "failure" || len(st) != 1 || st[0]["context"] != "plumbline" {
		t.Errorf("the commit status on Gitea: %s %v", state, st)
	}

	// Deliveries Gitea did not sign with the secret start nothing: the
	// interceptor refuses each, saying why.
	before = w.triggeredRuns(t)
	start := fileSize(interceptorLog)
	body := giteaPush(sha, srv.URL+"/homelab/infra.git")
	postGitea(t, body, forge.Sign([]byte("not the secret"), body))
	postGitea(t, body, "")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Second) {
		got := readFrom(interceptorLog, start)
		if strings.Contains(got, "payload signature check failed: X-Gitea-Signature does not match") &&
			strings.Contains(got, "no X-Forgejo-Signature or X-Gitea-Signature header set") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the interceptor did not refuse both:\n%s", tail(got, 20))
		}
	}
	time.Sleep(2 * time.Second)
	if after := w.triggeredRuns(t); len(after) != len(before) {
		t.Fatalf("unsigned or wrongly signed deliveries started runs: %v", after)
	}

	// A stranger forks, pushes and opens a pull request: nothing runs.
	srv.API("stranger", http.MethodPost, "/repos/homelab/infra/forks", map[string]any{}, nil)
	run(t, work, "git", "checkout", "-q", "-b", "feature")
	os.WriteFile(filepath.Join(work, "terraform", "envs", "lab", "extra.tf"), []byte("variable \"extra\" {\n  type        = string\n  description = \"More.\"\n}\n"), 0o644)
	run(t, work, "git", "add", "-A")
	commit(t, work, "a stranger's change")
	prSHA := scaleWhoami(t, work)
	run(t, work, "git", "push", "-q", srv.CloneURL("stranger", "stranger/infra"), "HEAD:refs/heads/feature")
	var pr struct {
		Number int `json:"number"`
	}
	srv.API("stranger", http.MethodPost, "/repos/homelab/infra/pulls", map[string]any{"head": "stranger:feature", "base": "main", "title": "more"}, &pr)
	time.Sleep(5 * time.Second)
	if after := w.triggeredRuns(t); len(after) != len(before) {
		t.Fatalf("a stranger's pull request started a run: %v", after)
	}
	// The owner reads it and comments /ok-to-test: its head runs, and the
	// outcome lands on the pull request.
	srv.API("homelab", http.MethodPost, fmt.Sprintf("/repos/homelab/infra/issues/%d/comments", pr.Number), map[string]any{"body": "Read it.\n/ok-to-test"}, nil)
	r = w.waitTriggered(t, before, fmt.Sprintf("refs/pull/%d/head", pr.Number))
	w.checkValidateRun(t, ns, r.name, prSHA, prWant(true))
	w.noToken(t, r.name)
	if state, _ := srv.Status("homelab/infra", prSHA); state != "failure" {
		t.Errorf("the pull request's commit status: %q", state)
	}
	var comments []struct {
		Body string `json:"body"`
		User struct {
			Login string `json:"login"`
		} `json:"user"`
	}
	srv.API("admin", http.MethodGet, fmt.Sprintf("/repos/homelab/infra/issues/%d/comments", pr.Number), nil, &comments)
	var bot int
	for _, c := range comments {
		if c.User.Login == "plumbline-bot" && strings.HasPrefix(c.Body, "<!-- plumbline:report -->") {
			bot++
			// The finding on the file the pull request added leads; what
			// main already had is collapsed below it; the comment says
			// where the full report is.
			newAt, oldAt := strings.Index(c.Body, "New in this change"), strings.Index(c.Body, "<details><summary>Already there before this change")
			extraAt := strings.Index(c.Body, "terraform/envs/lab/extra.tf")
			if newAt < 0 || oldAt < 0 || extraAt < newAt || extraAt > oldAt || !strings.Contains(c.Body, "The full report: tkn taskrun logs "+r.name) {
				t.Errorf("the comment does not lead with the pull request's own finding:\n%s", c.Body)
			}
			// What it deploys, collapsed per release, that field only.
			if !strings.Contains(c.Body, "<summary>What this change deploys: 1 changed, in 1 overlay or release</summary>") ||
				!strings.Contains(c.Body, "<summary><code>Application argocd/whoami-prod</code>: 1 changed</summary>") ||
				!strings.Contains(c.Body, "\n-  replicas: 2\n+  replicas: 3\n") {
				t.Errorf("the comment does not show what the pull request deploys:\n%s", c.Body)
			}
		}
	}
	if bot != 1 {
		t.Errorf("%d summary comments by the bot on the pull request, want 1: %+v", bot, comments)
	}
}

// forgeInterceptor runs the forge-interceptor binary on loopback over TLS,
// its webhook Secret in secrets. hack/forge-interceptor-tls.sh makes its
// certificate (the Secret plumbline-forge-interceptor-tls, whose key and
// certificate the binary is given as the Deployment mounts them) and
// applies its ClusterInterceptor, pointed at the host (pods here cannot
// reach the apiserver, so neither can an EventListener's pod, and the
// sinks run on the host); run again, it keeps the certificate. It returns
// the interceptor's log.
func (w *world) forgeInterceptor(t *testing.T, secrets string) string {
	t.Helper()
	bin := filepath.Join(w.state, "bin", "forge-interceptor")
	if err := gotool.Build(bin, filepath.Join(w.root, "images", "forge-interceptor")); err != nil {
		t.Fatal(err)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	script := func() string {
		cmd := exec.Command(filepath.Join(w.root, "hack", "forge-interceptor-tls.sh"), ns)
		cmd.Env = append(os.Environ(), "FORGE_INTERCEPTOR_URL=https://"+addr)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("forge-interceptor-tls.sh: %v\n%s", err, out)
		}
		t.Logf("forge-interceptor-tls.sh:\n%s", out)
		return string(out)
	}
	script()
	ca := kubectl(t, "", "get", "clusterinterceptor", "plumbline-forge", "-o", "jsonpath={.spec.clientConfig.caBundle}")
	if again := script(); !strings.Contains(again, "keeping the certificate") ||
		kubectl(t, "", "get", "clusterinterceptor", "plumbline-forge", "-o", "jsonpath={.spec.clientConfig.caBundle}") != ca {
		t.Errorf("run again, the script made another certificate:\n%s", again)
	}
	dir := t.TempDir()
	for _, key := range []string{"tls.crt", "tls.key"} {
		b64 := kubectl(t, "", "get", "secret", "plumbline-forge-interceptor-tls", "-n", ns, "-o", "jsonpath={.data."+strings.ReplaceAll(key, ".", "\\.")+"}")
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(data) == 0 {
			t.Fatalf("secret key %s: %v", key, err)
		}
		os.WriteFile(filepath.Join(dir, key), data, 0o600)
	}
	logPath := filepath.Join(w.state, "logs", "forge-interceptor.log")
	logFile, _ := os.Create(logPath)
	srv := exec.Command(bin, "--listen="+addr, "--secrets-dir="+secrets,
		"--tls-cert="+filepath.Join(dir, "tls.crt"), "--tls-key="+filepath.Join(dir, "tls.key"))
	srv.Stdout, srv.Stderr = logFile, logFile
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait(); logFile.Close() })
	return logPath
}

// giteaPush is a Gitea push delivery's body for sha on main.
func giteaPush(sha, cloneURL string) []byte {
	b, _ := json.Marshal(map[string]any{
		"ref": "refs/heads/main", "before": strings.Repeat("0", 40), "after": sha, "total_commits": 1,
		"commits":    []any{map[string]any{"id": sha, "added": []string{}, "removed": []string{}, "modified": []string{"terraform/envs/lab/main.tf"}}},
		"repository": map[string]any{"full_name": "homelab/infra", "clone_url": cloneURL, "owner": map[string]any{"login": "homelab"}},
	})
	return b
}

// postGitea sends a push delivery to the Gitea EventListener as Gitea
// would, with sig (none if empty) as its signature.
func postGitea(t *testing.T, body []byte, sig string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:"+giteaSinkPort, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Gitea-Event", "push")
	req.Header.Set("X-Gitea-Delivery", fmt.Sprintf("e2e-%d", time.Now().UnixNano()))
	if sig != "" {
		req.Header.Set("X-Gitea-Signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	t.Logf("POST (sig %q): %s", sig, resp.Status)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

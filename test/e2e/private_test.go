//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plumbline/plumbline/internal/bindtest"
	"github.com/tektoncd/pipeline/pkg/apis/pipeline/pod"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestPrivateRepository: plumbline-validate fetches a repository that
// needs credentials (git's smart HTTP, served by git http-backend behind
// basic auth, as Gitea or a reverse proxy would), from a basic-auth Secret
// in git-clone's form (.git-credentials and .gitconfig) bound to
// git-credentials. Only the fetch step mounts it; the token is in no log.
func TestPrivateRepository(t *testing.T) {
	w := setup(t)
	in := install(t, w)
	base, token, refused := w.privateGit(t)
	secret := kubectl(t, "", "create", "secret", "generic", "git-credentials", "-n", ns,
		"--from-literal=.git-credentials=http://plumbline:"+token+"@"+strings.TrimPrefix(base, "http://"),
		"--from-literal=.gitconfig=[credential]\n\thelper = store\n", "--dry-run=client", "-o", "yaml")
	kubectl(t, secret, "apply", "-f", "-")
	sha := run(t, in.repoDir, "git", "rev-parse", "main")

	tr := &pipelinev1.TaskRun{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "validate-private-", Namespace: ns},
		Spec: pipelinev1.TaskRunSpec{
			TaskRef: &pipelinev1.TaskRef{Name: "plumbline-validate"},
			Params: pipelinev1.Params{
				{Name: "repo-url", Value: *pipelinev1.NewStructuredValues(base + "/homelab.git")},
				{Name: "revision", Value: *pipelinev1.NewStructuredValues(sha)},
			},
			PodTemplate: &pod.Template{AutomountServiceAccountToken: ptr.To(false),
				SecurityContext: &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](65532)}},
			Workspaces: []pipelinev1.WorkspaceBinding{{Name: "git-credentials",
				Secret: &corev1.SecretVolumeSource{SecretName: "git-credentials"}}},
		},
	}
	created, err := w.tekton.TektonV1().TaskRuns(ns).Create(context.Background(), tr, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.checkValidateRun(t, ns, created.Name, sha, validateWant(true))
	if refused.Load() == 0 {
		t.Error("the server never asked for credentials: the test proves nothing")
	}
	done, err := w.tekton.TektonV1().TaskRuns(ns).Get(context.Background(), created.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.mountedOnlyBy(t, done, "/workspace/git-credentials", "step-fetch")
	out, _ := exec.Command("kubectl", "logs", "-n", ns, done.Status.PodName, "--all-containers").CombinedOutput()
	if strings.Contains(string(out), token) {
		t.Error("the token is in the pod's logs")
	}
	// Without the Secret, the fetch fails and so does the run: never a pass.
	tr.Spec.Workspaces = nil
	tr.ObjectMeta = metav1.ObjectMeta{GenerateName: "validate-nocreds-", Namespace: ns}
	noCreds, cond, res := w.runTaskRun(t, tr)
	if cond.Status != corev1.ConditionFalse || res["status"] == "pass" {
		t.Errorf("%s without credentials: %s/%s, results %v", noCreds.Name, cond.Status, cond.Reason, res)
	}
}

// privateGit serves the git server's repositories over git's smart HTTP
// (git http-backend) behind basic auth, as Gitea or a reverse proxy would,
// on the bridge: its URL, the password of user plumbline, and how many
// requests it refused.
func (w *world) privateGit(t *testing.T) (string, string, *atomic.Int32) {
	t.Helper()
	b := make([]byte, 12)
	rand.Read(b)
	token := hex.EncodeToString(b)
	refused := &atomic.Int32{}
	backend := &cgi.Handler{Path: filepath.Join(gitExecPath(t), "git-http-backend"),
		Env: []string{"GIT_PROJECT_ROOT=" + filepath.Join(w.state, "git"), "GIT_HTTP_EXPORT_ALL=1"}}
	ln, err := net.Listen("tcp", w.hostIP+":0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "plumbline" || pass != token {
			refused.Add(1)
			rw.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(rw, "authentication required", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(rw, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String(), token, refused
}

// TestPushCredentials: a push webhook on a private repository whose
// .plumbline.yaml compares its zone with a BIND that wants a TSIG key.
// The run the shipped triggers start binds the Secrets make install made
// and the operator filled (plumbline-git, plumbline-dns, quickstart §4):
// it fetches, finds the drift against the live server, and neither the
// password nor the key is in any log. Then the owner's /ok-to-test on a
// pull request of the same repository: that run gets neither Secret (the
// shipped approved_credentials is false), so it cannot fetch and fails,
// never a pass.
func TestPushCredentials(t *testing.T) {
	w := setup(t)
	install(t, w)
	key := w.listener(t)
	base, token, refused := w.privateGit(t)
	example := filepath.Join(w.root, "examples", "homelab")
	live, err := os.ReadFile(filepath.Join(example, "dns-live", "home.arpa.zone"))
	if err != nil {
		t.Fatal(err)
	}
	dns := bindtest.StartOn(t, w.hostIP, bindtest.Zone{Name: "home.arpa", Text: string(live), Transfer: "tsig"})
	repo := t.TempDir()
	run(t, repo, "mkdir", "-p", "dns")
	run(t, repo, "cp", filepath.Join(example, "dns", "home.arpa.zone"), "dns/")
	cfg := "version: 1\npolicy:\n  enabled: false\ndns:\n  zones:\n    - zone: home.arpa\n      desired: dns/home.arpa.zone\n" +
		"      tsigKeyFile: tsig.key\n      live:\n        - axfr://" + dns.Addr + "/home.arpa\n"
	if err := os.WriteFile(filepath.Join(repo, ".plumbline.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	bare := gitRepo(t, repo, filepath.Join(w.state, "git", "private-dns.git"))
	sha := run(t, bare, "git", "rev-parse", "main")
	run(t, bare, "git", "update-ref", "refs/pull/3/head", sha)

	for name, args := range map[string][]string{
		"plumbline-git": {"--from-literal=.git-credentials=http://plumbline:" + token + "@" + strings.TrimPrefix(base, "http://"),
			"--from-literal=.gitconfig=[credential]\n\thelper = store\n"},
		"plumbline-dns": {"--from-literal=tsig.key=" + dns.Key, "--from-literal=allowed-hosts=" + w.hostIP},
	} {
		secret := kubectl(t, "", append([]string{"create", "secret", "generic", name, "-n", ns, "--dry-run=client", "-o", "yaml"}, args...)...)
		kubectl(t, secret, "apply", "-f", "-")
	}
	t.Cleanup(func() {
		// Back to what make install made: empty, for the other tests.
		for _, name := range []string{"plumbline-git", "plumbline-dns"} {
			kubectl(t, kubectl(t, "", "create", "secret", "generic", name, "-n", ns, "--dry-run=client", "-o", "yaml"), "apply", "-f", "-")
		}
	})
	cloneURL := base + "/private-dns.git"
	before := w.triggeredRuns(t)
	w.post(t, pushEvent("refs/heads/main", sha, cloneURL, []string{"dns/home.arpa.zone"}), key, "")
	r := w.waitTriggered(t, before, sha)
	want := map[string]int32{"fetch": 0, "terraform-plan": 0, "policy-check": 0, "dns-zone-diff": 1, "terraform-validate": 0, "ansible-lint-check": 0, "report": 1}
	merged := w.checkValidateRun(t, ns, r.name, sha, want)
	// The zone was transferred with the key: a plan against the server,
	// nothing left uncompared.
	if !regexp.MustCompile(`dns/(create|delete|update)`).MatchString(merged) || strings.Contains(merged, "dns/not-compared") {
		t.Errorf("no plan against the live server in the report:\n%s", tail(merged, 40))
	}
	if refused.Load() == 0 {
		t.Error("the git server never asked for credentials: the test proves nothing")
	}
	done, err := w.tekton.TektonV1().TaskRuns(ns).Get(context.Background(), r.name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.mountedOnlyBy(t, done, "/workspace/git-credentials", "step-fetch")
	w.mountedOnlyBy(t, done, "/workspace/dns-credentials", "step-dns-zone-diff")
	all, _ := exec.Command("kubectl", "logs", "-n", ns, done.Status.PodName, "--all-containers").CombinedOutput()
	if strings.Contains(string(all), token) || strings.Contains(string(all), dns.KeySecret) {
		t.Error("a credential is in the pod's logs")
	}

	before = w.triggeredRuns(t)
	refusedBefore := refused.Load()
	w.postEvent(t, "issue_comment", okToTestEvent(cloneURL, 3, "OWNER"), key, "")
	r = w.waitTriggered(t, before, "refs/pull/3/head")
	tr := waitDone(t, "TaskRun", 10*time.Minute, w.tekton.TektonV1().TaskRuns(ns).Get, r.name)
	for _, ws := range tr.Spec.Workspaces {
		if (ws.Name == "git-credentials" || ws.Name == "dns-credentials") && (ws.Secret == nil || ws.Secret.SecretName != "plumbline-withheld") {
			t.Errorf("the /ok-to-test run binds %s to %+v", ws.Name, ws.Secret)
		}
	}
	if res := results(tr); res["status"] == "pass" || stepExits(tr)["fetch"] == 0 {
		t.Errorf("the /ok-to-test run without credentials: results %v, steps %v", res, stepExits(tr))
	}
	if refused.Load() == refusedBefore {
		t.Error("the /ok-to-test run never asked the git server: it did not try without credentials")
	}
}

func gitExecPath(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/cgi"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

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
	b := make([]byte, 12)
	rand.Read(b)
	token := hex.EncodeToString(b)
	var refused atomic.Int32
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
	base := "http://" + ln.Addr().String()
	secret := kubectl(t, "", "create", "secret", "generic", "git-credentials", "-n", ns,
		"--from-literal=.git-credentials=http://plumbline:"+token+"@"+ln.Addr().String(),
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

func gitExecPath(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

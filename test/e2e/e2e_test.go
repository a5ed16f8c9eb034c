//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"github.com/tektoncd/pipeline/pkg/client/clientset/versioned"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"knative.dev/pkg/apis"

	"github.com/plumbline/plumbline/internal/imagetest"
)

const (
	// tasksNS holds tasks/ as shipped (ko:// defaults, image params set);
	// ns is the quickstart's namespace, with a release installed.
	tasksNS = "plumbline-e2e"
	ns      = "plumbline"
	// version is stamped into the binaries; release is the catalog's.
	version = "e2e"
	release = "9.9"
)

// world is what every test shares: the cluster, the registry and the
// images make images built into it.
type world struct {
	root, state, reg string
	// hostIP is the host's address on the pods' bridge: services the
	// tests start there (git, BIND) are reachable from pods.
	hostIP string
	tekton versioned.Interface
	kube   kubernetes.Interface
	refs   map[string]string // image name -> reference by digest
	// ansible is the Debian base with git, which the git-init image extends.
	ansible string
	// koDir holds the .ko.yaml whose bases are the local ones.
	koDir string
}

var (
	worldOnce sync.Once
	theWorld  *world
)

// setup builds the world once; a test after a failed setup fails too.
func setup(t *testing.T) *world {
	t.Helper()
	worldOnce.Do(func() {
		root, _ := filepath.Abs("../..")
		w := &world{root: root, state: env(t, "E2E_STATE"), reg: env(t, "E2E_REGISTRY"), hostIP: env(t, "E2E_HOST_IP")}
		cfg, err := clientcmd.BuildConfigFromFlags("", env(t, "KUBECONFIG"))
		if err != nil {
			t.Fatal(err)
		}
		w.tekton = versioned.NewForConfigOrDie(cfg)
		w.kube = kubernetes.NewForConfigOrDie(cfg)
		start := time.Now()
		static, terraform, ansible := imagetest.Bases(t, w.reg, root)
		w.ansible = ansible
		// The git-fetch StepAction's default image, under the name it has
		// on gcr.io (containerd mirrors gcr.io to our registry): Tekton's
		// git-init from source on the Debian root with git. It is
		// policy-check's base too (plumbline-validate fetches and checks
		// in one container), for amd64; no test fetches on arm64.
		gitInit, err := os.ReadFile(filepath.Join(w.state, "bin", "git-init"))
		if err != nil {
			t.Fatal(err)
		}
		gitInitRef := imagetest.Derive(t, ansible, w.reg+"/tekton-releases/github.com/tektoncd/pipeline/cmd/git-init:v0.40.2",
			imagetest.File{Name: "ko-app/", Mode: 0o755}, imagetest.File{Name: "ko-app/git-init", Mode: 0o755, Data: gitInit},
			imagetest.File{Name: "home/git/", Mode: 0o1777})
		policy := imagetest.Index(t, w.reg, "bases/policy-check", gitInitRef, static)
		koDir := imagetest.KoConfig(t, root, static, terraform, ansible, policy)
		w.refs = imagetest.MakeImages(t, root, w.reg, koDir, filepath.Join(w.state, "plumbline-images.txt"), version)
		// The first test's temporary directories go with it; later
		// builds (make install) read the config from the state.
		w.koDir = filepath.Join(w.state, "ko")
		os.MkdirAll(w.koDir, 0o755)
		if data, err := os.ReadFile(filepath.Join(koDir, ".ko.yaml")); err != nil || os.WriteFile(filepath.Join(w.koDir, ".ko.yaml"), data, 0o644) != nil {
			t.Fatalf("keep .ko.yaml: %v", err)
		}
		t.Logf("images built and pushed in %s", time.Since(start).Round(time.Second))
		theWorld = w
	})
	if theWorld == nil {
		t.Fatal("the shared setup failed in an earlier test")
	}
	return theWorld
}

// env is what e2e.sh exported.
func env(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run the e2e tests with make e2e", name)
	}
	return v
}

func kubectl(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("kubectl", args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// homelab binds a claim "homelab" in namespace to a fresh copy of
// examples/homelab, as git-clone would leave it, and returns its path.
func (w *world) homelab(t *testing.T, namespace string) string {
	t.Helper()
	dir := filepath.Join(w.state, "pv", "homelab-"+namespace)
	os.RemoveAll(dir)
	os.MkdirAll(filepath.Dir(dir), 0o755)
	run(t, w.root, "cp", "-a", filepath.Join(w.root, "examples", "homelab"), dir)
	// Writable by any UID, as a provisioner's volume would be.
	run(t, w.root, "chmod", "-R", "a+rwX", dir)
	kubectl(t, fmt.Sprintf(`apiVersion: v1
kind: PersistentVolume
metadata: {name: homelab-%s}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: %s, type: Directory}
  claimRef: {namespace: %s, name: homelab}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: homelab, namespace: %s}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  volumeName: homelab-%s
  resources: {requests: {storage: 1Gi}}
`, namespace, dir, namespace, namespace, namespace), "apply", "-f", "-")
	return dir
}

// serve serves h on the host's bridge address, where pods reach it,
// until t ends, and returns its address.
func (w *world) serve(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", w.hostIP+":0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// relay forwards each TCP connection made to the host's bridge address,
// where pods reach it, to addr on the host (a server listening on
// 127.0.0.1 only), until t ends, and returns its address.
func (w *world) relay(t *testing.T, addr string) string {
	t.Helper()
	ln, err := net.Listen("tcp", w.hostIP+":0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				u, err := net.Dial("tcp", addr)
				if err != nil {
					return
				}
				defer u.Close()
				go func() { io.Copy(u, c); u.Close() }()
				io.Copy(c, u)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

// hostPathPV makes a PersistentVolume of dir on the host that only the
// claim named claim in the namespace ns binds, with access mode mode.
func hostPathPV(t *testing.T, pv, dir, claim, mode string) {
	t.Helper()
	kubectl(t, fmt.Sprintf(`apiVersion: v1
kind: PersistentVolume
metadata: {name: %s}
spec:
  capacity: {storage: 1Gi}
  accessModes: [%s]
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: %s, type: Directory}
  claimRef: {namespace: %s, name: %s}
`, pv, mode, dir, ns, claim), "apply", "-f", "-")
}

// namespace makes the namespace if it is not there and returns once its
// default ServiceAccount is: the controller-manager adds that account a
// moment after the namespace, and Tekton refuses a TaskRun's pod until it
// exists ("serviceaccounts \"default\" not found"; a CI run's first test
// of a namespace hit it).
func namespace(t *testing.T, name string) {
	t.Helper()
	if out, err := exec.Command("kubectl", "get", "namespace", name).CombinedOutput(); err != nil {
		if !strings.Contains(string(out), "NotFound") {
			t.Fatalf("kubectl get namespace %s: %s", name, out)
		}
		kubectl(t, "", "create", "namespace", name)
	}
	kubectl(t, "", "wait", "--for=create", "serviceaccount/default", "-n", name, "--timeout=60s")
}

// runTaskRun creates tr, waits for it to finish and logs how it went; it
// returns the finished run, its Succeeded condition and its results.
func (w *world) runTaskRun(t *testing.T, tr *pipelinev1.TaskRun) (*pipelinev1.TaskRun, *apis.Condition, map[string]string) {
	t.Helper()
	created, err := w.tekton.TektonV1().TaskRuns(tr.Namespace).Create(context.Background(), tr, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	done := waitDone(t, "TaskRun", 5*time.Minute, w.tekton.TektonV1().TaskRuns(tr.Namespace).Get, created.Name)
	cond := done.Status.GetCondition(apis.ConditionSucceeded)
	res := results(done)
	t.Logf("%s: %s %s; results %v", done.Name, cond.Status, cond.Reason, res)
	return done, cond, res
}

// waitDone polls get until the run it returns is done.
func waitDone[R interface{ IsDone() bool }](t *testing.T, what string, timeout time.Duration,
	get func(context.Context, string, metav1.GetOptions) (R, error), name string) R {
	t.Helper()
	r, _ := waitDoneEvery(t, what, timeout, 2*time.Second, get, name)
	return r
}

// waitDoneEvery is waitDone asking every interval, and says when it first
// saw the run done.
func waitDoneEvery[R interface{ IsDone() bool }](t *testing.T, what string, timeout, every time.Duration,
	get func(context.Context, string, metav1.GetOptions) (R, error), name string) (R, time.Time) {
	t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(every) {
		r, err := get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if r.IsDone() {
			return r, time.Now()
		}
	}
	t.Fatalf("%s %s did not finish in %s", what, name, timeout)
	panic("unreachable")
}

// results maps a TaskRun's results by name.
func results(tr *pipelinev1.TaskRun) map[string]string {
	m := map[string]string{}
	for _, r := range tr.Status.Results {
		m[r.Name] = r.Value.StringVal
	}
	return m
}

// exitCode is the first step's exit code, -1 if it did not terminate.
func exitCode(tr *pipelinev1.TaskRun) int32 {
	if len(tr.Status.Steps) > 0 && tr.Status.Steps[0].Terminated != nil {
		return tr.Status.Steps[0].Terminated.ExitCode
	}
	return -1
}

// logs is the tail of a TaskRun pod's logs, for failure messages.
func logs(namespace string, tr *pipelinev1.TaskRun) string {
	out, _ := exec.Command("kubectl", "logs", "-n", namespace, tr.Status.PodName, "--all-containers", "--tail=30").CombinedOutput()
	return string(out)
}

// claimPath is where the hostPath PersistentVolume behind a claim keeps
// its files.
func (w *world) claimPath(t *testing.T, namespace, claim string) string {
	t.Helper()
	ctx := context.Background()
	pvc, err := w.kube.CoreV1().PersistentVolumeClaims(namespace).Get(ctx, claim, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pv, err := w.kube.CoreV1().PersistentVolumes().Get(ctx, pvc.Spec.VolumeName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pv.Spec.HostPath == nil {
		t.Fatalf("%s is not a hostPath volume", pv.Name)
	}
	return pv.Spec.HostPath.Path
}

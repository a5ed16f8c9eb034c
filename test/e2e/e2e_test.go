//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tektoncd/pipeline/pkg/apis/pipeline/pod"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"github.com/tektoncd/pipeline/pkg/client/clientset/versioned"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"knative.dev/pkg/apis"

	"github.com/plumbline/plumbline/internal/bindtest"
	"github.com/plumbline/plumbline/internal/imagetest"
	"github.com/plumbline/plumbline/pkg/report"
)

const (
	namespace = "plumbline-e2e"
	version   = "e2e"
)

// env is what e2e.sh exported: where the state is and the registry.
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

// TestTasks runs every shipped Task as a TaskRun against a checkout of
// examples/homelab on a PersistentVolume, with the images make images built;
// the planted mistakes fail each check (its step exits 1), the results say
// so, and each report lands in the workspace.
func TestTasks(t *testing.T) {
	root, _ := filepath.Abs("../..")
	state, reg := env(t, "E2E_STATE"), env(t, "E2E_REGISTRY")
	cfg, err := clientcmd.BuildConfigFromFlags("", env(t, "KUBECONFIG"))
	if err != nil {
		t.Fatal(err)
	}
	tekton := versioned.NewForConfigOrDie(cfg)

	start := time.Now()
	static, terraform, ansible := imagetest.Bases(t, reg, root)
	refs := imagetest.MakeImages(t, root, reg, imagetest.KoConfig(t, root, static, terraform, ansible),
		filepath.Join(state, "plumbline-images.txt"), version)
	t.Logf("images built and pushed in %s", time.Since(start).Round(time.Second))

	// The repository on a volume, as git-clone would leave it.
	repo := filepath.Join(state, "pv", "homelab")
	os.RemoveAll(repo)
	os.MkdirAll(filepath.Dir(repo), 0o755)
	if out, err := exec.Command("cp", "-a", filepath.Join(root, "examples", "homelab"), repo).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	exec.Command("chmod", "-R", "a+rwX", repo).Run()
	kubectl(t, "", "create", "namespace", namespace)
	kubectl(t, fmt.Sprintf(`apiVersion: v1
kind: PersistentVolume
metadata: {name: plumbline-e2e-homelab}
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
  volumeName: plumbline-e2e-homelab
  resources: {requests: {storage: 1Gi}}
`, repo, namespace, namespace), "apply", "-f", "-")
	// The Tasks exactly as shipped; only the image param is ours.
	kubectl(t, "", "apply", "-n", namespace, "-f", filepath.Join(root, "tasks"))

	runs := []struct {
		image  string
		params map[string]string
	}{
		{"terraform-validate", map[string]string{"path": "terraform", "offline": "true"}},
		{"ansible-lint-check", map[string]string{"path": "ansible"}},
		{"policy-check", nil},
		{"dns-zone-diff", map[string]string{"live": "dns-live"}},
		{"report", nil},
	}
	for _, r := range runs {
		t.Run(r.image, func(t *testing.T) {
			runTask(t, tekton, root, repo, r.image, refs[r.image], r.params, ".plumbline/reports", nil)
		})
	}

	// dns-zone-diff against a real BIND on the host's loopback, by zone
	// transfer with a TSIG key from a Secret workspace; the pod uses the
	// host's network to reach it.
	t.Run("dns-zone-diff against BIND", func(t *testing.T) {
		live, err := os.ReadFile(filepath.Join(root, "examples", "homelab", "dns-live", "home.arpa.zone"))
		if err != nil {
			t.Fatal(err)
		}
		srv := bindtest.Start(t, bindtest.Zone{Name: "home.arpa", Text: string(live), Transfer: "tsig"})
		kubectl(t, "", "create", "secret", "generic", "dns-credentials", "-n", namespace, "--from-literal=tsig.key="+srv.Key)
		rep := runTask(t, tekton, root, repo, "dns-zone-diff", refs["dns-zone-diff"], map[string]string{
			"live": "axfr://" + srv.Addr + "/home.arpa", "zones": "home.arpa", "tsig-key-file": "tsig.key"},
			".plumbline/reports-bind", func(tr *pipelinev1.TaskRun) {
				tr.Spec.PodTemplate = &pod.Template{HostNetwork: true}
				tr.Spec.Workspaces = append(tr.Spec.Workspaces, pipelinev1.WorkspaceBinding{Name: "dns-credentials",
					Secret: &corev1.SecretVolumeSource{SecretName: "dns-credentials"}})
			})
		if rep != nil && !slices.ContainsFunc(rep.Findings, func(f report.Finding) bool { return f.Rule == "dns/create" }) {
			t.Errorf("no planned creates from the zone transfer: %+v", rep.Findings)
		}
	})
}

// runTask runs one shipped Task as a TaskRun with its image param (and
// params) set, the repository volume as source and reportsDir of it as
// reports; the example's planted mistakes must fail it with exit 1 (never
// 2: broken), with results and a report. It returns the report.
func runTask(t *testing.T, tekton versioned.Interface, root, repo, image, ref string, params map[string]string, reportsDir string, edit func(*pipelinev1.TaskRun)) *report.Report {
	t.Helper()
	ctx := context.Background()
	task := imagetest.TaskFor(t, root, image)
	tr := &pipelinev1.TaskRun{
		ObjectMeta: metav1.ObjectMeta{GenerateName: image + "-", Namespace: namespace},
		Spec: pipelinev1.TaskRunSpec{
			TaskRef: &pipelinev1.TaskRef{Name: task.Name},
			Params:  pipelinev1.Params{{Name: "image", Value: *pipelinev1.NewStructuredValues(ref)}},
		},
	}
	for k, v := range params {
		tr.Spec.Params = append(tr.Spec.Params, pipelinev1.Param{Name: k, Value: *pipelinev1.NewStructuredValues(v)})
	}
	for _, w := range task.Spec.Workspaces {
		switch w.Name {
		case "source":
			tr.Spec.Workspaces = append(tr.Spec.Workspaces, pipelinev1.WorkspaceBinding{Name: w.Name,
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "homelab"}})
		case "reports":
			tr.Spec.Workspaces = append(tr.Spec.Workspaces, pipelinev1.WorkspaceBinding{Name: w.Name, SubPath: reportsDir,
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "homelab"}})
		}
	}
	if edit != nil {
		edit(tr)
	}
	created, err := tekton.TektonV1().TaskRuns(namespace).Create(ctx, tr, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	done := waitTaskRun(t, tekton, created.Name, 5*time.Minute)
	cond := done.Status.GetCondition(apis.ConditionSucceeded)
	results := map[string]string{}
	for _, res := range done.Status.Results {
		results[res.Name] = res.Value.StringVal
	}
	t.Logf("%s: %s %s; results %v", done.Name, cond.Status, cond.Reason, results)
	exit := int32(-1)
	if len(done.Status.Steps) > 0 && done.Status.Steps[0].Terminated != nil {
		exit = done.Status.Steps[0].Terminated.ExitCode
	}
	if cond.Status != corev1.ConditionFalse || cond.Reason != "Failed" || exit != 1 {
		logs, _ := exec.Command("kubectl", "logs", "-n", namespace, done.Status.PodName, "--all-containers", "--tail=30").CombinedOutput()
		t.Fatalf("%s: %s/%s, step exit %d; want Failed with exit 1 (findings on the example's planted mistakes), not 2 (broken).\n%s\nlogs:\n%s",
			done.Name, cond.Status, cond.Reason, exit, cond.Message, logs)
	}
	if results["status"] != "fail" || results["errors"] == "" || results["errors"] == "0" {
		t.Errorf("results %v", results)
	}
	file := filepath.Join(repo, reportsDir, image+".json")
	if image == "report" {
		file = filepath.Join(repo, reportsDir, "merged", "report.json")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("no report in the workspace: %v", err)
	}
	rep, err := report.Decode(file, data)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Version != version || rep.Summary.Errors == 0 {
		t.Errorf("report: version %q, %d errors", rep.Version, rep.Summary.Errors)
	}
	return rep
}

func waitTaskRun(t *testing.T, c versioned.Interface, name string, timeout time.Duration) *pipelinev1.TaskRun {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		tr, err := c.TektonV1().TaskRuns(namespace).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if tr.IsDone() {
			return tr
		}
		time.Sleep(2 * time.Second)
	}
	t.Fatalf("TaskRun %s did not finish in %s", name, timeout)
	return nil
}

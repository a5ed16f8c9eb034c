//go:build e2e

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tektoncd/pipeline/pkg/apis/pipeline/pod"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/plumbline/plumbline/internal/bindtest"
	"github.com/plumbline/plumbline/internal/imagetest"
	"github.com/plumbline/plumbline/pkg/report"
)

// checks is each image with the params that point it at examples/homelab.
var checks = []struct {
	image  string
	params map[string]string
}{
	{"terraform-validate", map[string]string{"path": "terraform", "offline": "true"}},
	{"ansible-lint-check", map[string]string{"path": "ansible"}},
	{"policy-check", nil},
	{"dns-zone-diff", map[string]string{"live": "dns-live"}},
	{"report", nil},
}

// TestTasks runs every Task in tasks/, applied as shipped, as a TaskRun
// against a checkout of examples/homelab on a PersistentVolume, with the
// images make images built (set through each Task's image param, as a
// mirror would be); the planted mistakes fail each check (its step exits
// 1), the results say so, and each report lands in the workspace.
func TestTasks(t *testing.T) {
	w := setup(t)
	namespace(t, tasksNS)
	repo := w.homelab(t, tasksNS)
	// As shipped, the Tasks' steps run the StepActions by name: both go in.
	kubectl(t, "", "apply", "-n", tasksNS, "-f", filepath.Join(w.root, "stepactions"), "-f", filepath.Join(w.root, "tasks"))

	for _, c := range checks {
		t.Run(c.image, func(t *testing.T) {
			w.runTask(t, repo, c.image, c.params, ".plumbline/reports", nil, nil)
		})
	}

	// OpenShift's restricted policy runs a pod as a UID from the
	// namespace's range (and an fsGroup): the tool-driving checks, whose
	// tools want a HOME, still run and report.
	const uid = 1000650000
	for _, image := range []string{"terraform-validate", "ansible-lint-check"} {
		t.Run("uid "+image, func(t *testing.T) {
			var params map[string]string
			for _, c := range checks {
				if c.image == image {
					params = c.params
				}
			}
			w.runTask(t, repo, image, params, ".plumbline/reports-uid", func(tr *pipelinev1.TaskRun) {
				tr.Spec.PodTemplate = &pod.Template{SecurityContext: &corev1.PodSecurityContext{
					RunAsUser: ptr.To[int64](uid), RunAsGroup: ptr.To[int64](0), FSGroup: ptr.To[int64](uid)}}
			}, func(t *testing.T, tr *pipelinev1.TaskRun) {
				p, err := w.kube.CoreV1().Pods(tasksNS).Get(context.Background(), tr.Status.PodName, metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range p.Spec.Containers {
					if c.SecurityContext != nil && c.SecurityContext.RunAsUser != nil {
						t.Errorf("container %s pins UID %d over the pod's %d", c.Name, *c.SecurityContext.RunAsUser, uid)
					}
				}
				if u := p.Spec.SecurityContext.RunAsUser; u == nil || *u != uid {
					t.Errorf("pod UID %v, want %d", u, uid)
				}
			})
		})
	}

	// dns-zone-diff against a real BIND, by zone transfer with a TSIG key
	// from a Secret workspace; BIND listens on the host's bridge address.
	t.Run("dns-zone-diff against BIND", func(t *testing.T) {
		live, err := os.ReadFile(filepath.Join(w.root, "examples", "homelab", "dns-live", "home.arpa.zone"))
		if err != nil {
			t.Fatal(err)
		}
		srv := bindtest.StartOn(t, w.hostIP, bindtest.Zone{Name: "home.arpa", Text: string(live), Transfer: "tsig"})
		kubectl(t, "", "create", "secret", "generic", "dns-credentials", "-n", tasksNS, "--from-literal=tsig.key="+srv.Key)
		rep := w.runTask(t, repo, "dns-zone-diff", map[string]string{
			"live": "axfr://" + srv.Addr + "/home.arpa", "zones": "home.arpa", "tsig-key-file": "tsig.key"},
			".plumbline/reports-bind", func(tr *pipelinev1.TaskRun) {
				tr.Spec.Workspaces = append(tr.Spec.Workspaces, pipelinev1.WorkspaceBinding{Name: "dns-credentials",
					Secret: &corev1.SecretVolumeSource{SecretName: "dns-credentials"}})
			}, nil)
		if rep != nil && !slices.ContainsFunc(rep.Findings, func(f report.Finding) bool { return f.Rule == "dns/create" }) {
			t.Errorf("no planned creates from the zone transfer: %+v", rep.Findings)
		}
	})
}

// runTask runs one Task of tasks/ as a TaskRun with its image param (and
// params) set, the repository volume as source and reportsDir of it as
// reports; the example's planted mistakes must fail it with exit 1 (never
// 2: broken), with results and a report, which it returns. edit changes
// the TaskRun before it is created; inspect looks at the finished one.
func (w *world) runTask(t *testing.T, repo, image string, params map[string]string, reportsDir string,
	edit func(*pipelinev1.TaskRun), inspect func(*testing.T, *pipelinev1.TaskRun)) *report.Report {
	t.Helper()
	task := imagetest.TaskFor(t, w.root, image)
	tr := &pipelinev1.TaskRun{
		ObjectMeta: metav1.ObjectMeta{GenerateName: image + "-", Namespace: tasksNS},
		Spec: pipelinev1.TaskRunSpec{
			TaskRef: &pipelinev1.TaskRef{Name: task.Name},
			Params:  pipelinev1.Params{{Name: "image", Value: *pipelinev1.NewStructuredValues(w.refs[image])}},
		},
	}
	for k, v := range params {
		tr.Spec.Params = append(tr.Spec.Params, pipelinev1.Param{Name: k, Value: *pipelinev1.NewStructuredValues(v)})
	}
	for _, ws := range task.Spec.Workspaces {
		switch ws.Name {
		case "source":
			tr.Spec.Workspaces = append(tr.Spec.Workspaces, pipelinev1.WorkspaceBinding{Name: ws.Name,
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "homelab"}})
		case "reports":
			tr.Spec.Workspaces = append(tr.Spec.Workspaces, pipelinev1.WorkspaceBinding{Name: ws.Name, SubPath: reportsDir,
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "homelab"}})
		}
	}
	if edit != nil {
		edit(tr)
	}
	done, cond, res := w.runTaskRun(t, tr)
	if code := exitCode(done); cond.Status != corev1.ConditionFalse || cond.Reason != "Failed" || code != 1 {
		t.Fatalf("%s: %s/%s, step exit %d; want Failed with exit 1 (findings on the example's planted mistakes), not 2 (broken).\n%s\nlogs:\n%s",
			done.Name, cond.Status, cond.Reason, code, cond.Message, logs(tasksNS, done))
	}
	if inspect != nil {
		inspect(t, done)
	}
	if res["status"] != "fail" || res["errors"] == "" || res["errors"] == "0" {
		t.Errorf("results %v", res)
	}
	file := filepath.Join(repo, reportsDir, image+".json")
	if image == "report" {
		file = filepath.Join(repo, reportsDir, "merged", "report.json")
	}
	r := readReport(t, file)
	if r != nil && r.Summary.Errors == 0 {
		t.Errorf("%s: no errors, but the example's planted mistakes are there", file)
	}
	return r
}

// readReport decodes a report the checks wrote and checks it is ours.
func readReport(t *testing.T, file string) *report.Report {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("no report in the workspace: %v", err)
	}
	rep, err := report.Decode(file, data)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Version != version {
		t.Errorf("%s: version %q", file, rep.Version)
	}
	return rep
}

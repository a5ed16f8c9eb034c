//go:build e2e

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tektonv1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestInstall is make install on a node without a registry: import mode
// builds the images with ko, imports them into the node's containerd and
// applies Tasks, StepActions, Pipelines and Triggers that name them as
// plumbline.local/NAME@sha256:… (a host that exists nowhere, so a pod
// that tried to pull one would fail); the one-pod validation runs green
// from them; a second make install changes nothing; make uninstall
// removes the namespace it created, its cluster-wide binding and the
// imported images, and nothing else.
func TestInstall(t *testing.T) {
	w := setup(t)
	in := install(t, w)
	const target = "plumbline-install"
	ctr := "ctr --address " + filepath.Join(w.state, "run", "containerd.sock")
	runMake := func(goal string, vars ...string) string {
		t.Helper()
		if len(vars) == 0 {
			vars = []string{"NAMESPACE=" + target, "INSTALL_MODE=import", "CTR=" + ctr, "KO_DOCKER_REPO="}
		}
		cmd := exec.Command("make", append([]string{"--no-print-directory", goal, "PLATFORM=linux/amd64", "VERSION=" + version}, vars...)...)
		cmd.Dir = w.root
		cmd.Env = append(os.Environ(), "KO_CONFIG_PATH="+w.koDir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make %s: %v\n%s", goal, err, out)
		}
		t.Logf("make %s:\n%s", goal, out)
		return string(out)
	}
	otherBindings := kubectl(t, "", "get", "clusterrolebindings", "-o", "name")

	installed := runMake("install")
	// What it says of Tekton's wait for sidecars follows the cluster's
	// feature flags (Tekton's defaults, unless E2E_TEKTON_FLAGS changed
	// them) and its webhooks, none of which injects sidecars.
	flags := strings.Split(kubectl(t, "", "get", "configmap", "feature-flags", "-n", "tekton-pipelines", "-o",
		`jsonpath={.data.running-in-environment-with-injected-sidecars}/{.data.await-sidecar-readiness}`), "/")
	advised := strings.Contains(installed, "no webhook here injects any: kubectl patch configmap feature-flags")
	if waits := flags[0] != "false" && flags[1] != "false"; advised != waits {
		t.Errorf("feature flags running-in-environment-with-injected-sidecars %q, await-sidecar-readiness %q: make install advised turning the first off: %v, want %v",
			flags[0], flags[1], advised, waits)
	}
	images := kubectl(t, "", "get", "stepactions,tasks", "-n", target, "-o",
		`jsonpath={range .items[*]}{.spec.image}{"\n"}{range .spec.params[?(@.name=="image")]}{.default}{"\n"}{end}{end}`)
	distinct := map[string]bool{}
	for _, img := range strings.Fields(images) {
		if strings.HasPrefix(img, "$(") {
			continue
		}
		distinct[img] = true
		if !strings.HasPrefix(img, "plumbline.local/") || !strings.Contains(img, "@sha256:") {
			t.Errorf("an installed image is %q, want plumbline.local/NAME@sha256:…", img)
		}
	}
	if len(distinct) != 5 {
		t.Fatalf("the installed StepActions and Tasks name %d images, want the five checks':\n%s", len(distinct), images)
	}
	// Each under exactly the name the YAML uses.
	ls := run(t, w.root, "sh", "-c", ctr+" -n k8s.io images ls -q")
	for img := range distinct {
		if !slices.Contains(strings.Fields(ls), img) {
			t.Errorf("containerd has no image %s:\n%s", img, ls)
		}
	}

	sha := run(t, in.repoDir, "git", "rev-parse", "main")
	tr, created := w.validateInstalled(t, target, in.repoURL, sha, validateWant(true))
	done, _ := w.tekton.TektonV1().TaskRuns(target).Get(context.Background(), created.Name, metav1.GetOptions{})
	p, err := w.kube.CoreV1().Pods(target).Get(context.Background(), done.Status.PodName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Spec.Containers {
		if c.Name != "step-fetch" && !strings.HasPrefix(c.Image, "plumbline.local/") {
			t.Errorf("container %s ran %s, not an imported image", c.Name, c.Image)
		}
	}

	if again := runMake("install"); strings.Contains(again, " created") || strings.Contains(again, " configured") {
		t.Errorf("a second make install changed something:\n%s", again)
	}

	runMake("uninstall")
	if out, err := exec.Command("kubectl", "get", "namespace", target).CombinedOutput(); err == nil {
		t.Errorf("namespace %s is still there:\n%s", target, out)
	}
	if after := kubectl(t, "", "get", "clusterrolebindings", "-o", "name"); after != otherBindings {
		t.Errorf("cluster role bindings before install:\n%s\nafter uninstall:\n%s", otherBindings, after)
	}
	if ls := run(t, w.root, "sh", "-c", ctr+" -n k8s.io images ls -q"); strings.Contains(ls, "plumbline.local/") {
		t.Errorf("imported images left in containerd:\n%s", ls)
	}
	// The other namespace's install is untouched (kubectl fails the test if not).
	kubectl(t, "", "get", "tasks", "-n", ns, "plumbline-validate")

	// With a registry the node pulls from: every image by digest there.
	const viaRegistry = "plumbline-install-registry"
	repo := w.reg + "/install"
	runMake("install", "NAMESPACE="+viaRegistry, "KO_DOCKER_REPO="+repo)
	for _, img := range strings.Fields(kubectl(t, "", "get", "stepactions", "-n", viaRegistry, "-o",
		`jsonpath={range .items[*]}{range .spec.params[?(@.name=="image")]}{.default}{"\n"}{end}{end}`)) {
		if !strings.HasPrefix(img, repo+"/") || !strings.Contains(img, "@sha256:") {
			t.Errorf("an image installed from the registry is %q, want %s/NAME@sha256:…", img, repo)
		}
	}
	tr.Namespace, tr.Name = viaRegistry, ""
	created, err = w.tekton.TektonV1().TaskRuns(viaRegistry).Create(context.Background(), tr, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.checkValidateRun(t, viaRegistry, created.Name, sha, validateWant(true))
	runMake("uninstall", "NAMESPACE="+viaRegistry, "KO_DOCKER_REPO="+repo)
	if out, err := exec.Command("kubectl", "get", "namespace", viaRegistry).CombinedOutput(); err == nil {
		t.Errorf("namespace %s is still there:\n%s", viaRegistry, out)
	}
}

// validateInstalled runs plumbline-validate as installed in namespace
// (the trigger's on-error, the install's service account, UID 65532) on
// commit sha of repoURL, checks each step's exit as checkValidateRun
// does, and returns the TaskRun it sent and the one created.
func (w *world) validateInstalled(t *testing.T, namespace, repoURL, sha string, want map[string]int32) (*tektonv1.TaskRun, *tektonv1.TaskRun) {
	t.Helper()
	tr := validateTaskRun(namespace, "validate-", repoURL, sha)
	tr.Spec.Params = append(tr.Spec.Params, tektonv1.Param{Name: "on-error", Value: *tektonv1.NewStructuredValues("continue")})
	tr.Spec.ServiceAccountName = "plumbline"
	tr.Spec.PodTemplate.SecurityContext = &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](65532), FSGroup: ptr.To[int64](65532)}
	created, err := w.tekton.TektonV1().TaskRuns(namespace).Create(context.Background(), tr, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.checkValidateRun(t, namespace, created.Name, sha, want)
	return tr, created
}

//go:build e2e

package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tektoncd/pipeline/pkg/apis/pipeline/pod"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"knative.dev/pkg/apis"
)

// TestTrusted is Tekton's trusted resources on the cluster: a catalog
// signed by make catalog with a key, pushed as bundles; in a namespace
// with a VerificationPolicy (enforce) holding the public key, a TaskRun
// of the released report Task through the bundles resolver passes
// verification (TrustedResourcesVerified), and the same Task changed by
// one word after signing, in another bundle the policy also covers, is
// refused before any pod exists (ResourceVerificationFailed).
func TestTrusted(t *testing.T) {
	w := setup(t)
	const target, release = "plumbline-trusted", "9.7"
	namespace(t, target)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalECPrivateKey(key)
	keyFile := filepath.Join(t.TempDir(), "release.key")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)

	signed, tampered := t.TempDir(), t.TempDir()
	run(t, w.root, "go", "run", "./hack/catalog", "generate", "-version", release, "-refs", filepath.Join(w.state, "plumbline-images.txt"),
		"-out", signed, "-key", keyFile)
	run(t, w.root, "go", "run", "./hack/catalog", "bundles", "-version", release, "-repo", w.reg+"/trusted", "-out", signed)
	run(t, w.root, "cp", "-a", signed+"/.", tampered)
	task := filepath.Join(tampered, "task", "plumbline-report", release, "plumbline-report.yaml")
	data, err := os.ReadFile(task)
	if err != nil || !strings.Contains(string(data), "tekton.dev/signature: ") || !strings.Contains(string(data), "default: error") {
		t.Fatalf("the signed catalog Task: %v\n%s", err, data)
	}
	os.WriteFile(task, []byte(strings.Replace(string(data), "default: error", "default: never", 1)), 0o644)
	run(t, w.root, "go", "run", "./hack/catalog", "bundles", "-version", release, "-repo", w.reg+"/tampered", "-out", tampered)

	kubectl(t, "", "apply", "-n", target, "-f", filepath.Join(signed, "stepaction", "plumbline-report", release, "plumbline-report.yaml"))
	var policy strings.Builder
	policy.WriteString("apiVersion: tekton.dev/v1alpha1\nkind: VerificationPolicy\nmetadata:\n  name: plumbline\nspec:\n  resources:\n")
	policy.WriteString("    - pattern: '^" + strings.ReplaceAll(w.reg, ".", `\.`) + "/(trusted|tampered)/bundles/plumbline-'\n")
	policy.WriteString("  authorities:\n    - name: release\n      key:\n        data: |\n")
	for _, l := range strings.Split(strings.TrimSpace(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))), "\n") {
		policy.WriteString("          " + l + "\n")
	}
	policy.WriteString("  mode: enforce\n")
	kubectl(t, policy.String(), "apply", "-n", target, "-f", "-")

	start := func(repo string) *pipelinev1.TaskRun {
		tr := &pipelinev1.TaskRun{
			ObjectMeta: metav1.ObjectMeta{GenerateName: "trusted-", Namespace: target},
			Spec: pipelinev1.TaskRunSpec{
				TaskRef: &pipelinev1.TaskRef{ResolverRef: pipelinev1.ResolverRef{Resolver: "bundles", Params: pipelinev1.Params{
					{Name: "bundle", Value: *pipelinev1.NewStructuredValues(w.reg + "/" + repo + "/bundles/plumbline-report:" + release)},
					{Name: "name", Value: *pipelinev1.NewStructuredValues("plumbline-report")},
					{Name: "kind", Value: *pipelinev1.NewStructuredValues("task")},
				}}},
				Workspaces:  []pipelinev1.WorkspaceBinding{{Name: "reports", EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				PodTemplate: &pod.Template{AutomountServiceAccountToken: ptr.To(false)},
			},
		}
		created, err := w.tekton.TektonV1().TaskRuns(target).Create(context.Background(), tr, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return waitDone(t, "TaskRun", 5*time.Minute, w.tekton.TektonV1().TaskRuns(target).Get, created.Name)
	}

	good := start("trusted")
	if c := good.Status.GetCondition("TrustedResourcesVerified"); c == nil || c.Status != corev1.ConditionTrue {
		t.Errorf("the signed Task: TrustedResourcesVerified %+v; Succeeded %+v", c, good.Status.GetCondition(apis.ConditionSucceeded))
	}
	if good.Status.PodName == "" {
		t.Errorf("the signed Task ran no pod: %+v", good.Status.GetCondition(apis.ConditionSucceeded))
	}
	bad := start("tampered")
	c := bad.Status.GetCondition(apis.ConditionSucceeded)
	if c == nil || c.Status != corev1.ConditionFalse || c.Reason != "ResourceVerificationFailed" || bad.Status.PodName != "" {
		t.Errorf("the changed Task: %+v, pod %q; want ResourceVerificationFailed and no pod", c, bad.Status.PodName)
	}
	t.Logf("signed: verified; changed: %s", c.Message)
}

//go:build e2e

package e2e

import (
	"encoding/base64"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tektoncd/pipeline/pkg/apis/pipeline/pod"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"

	"github.com/plumbline/plumbline/internal/tftest"
)

// TestTerraformPlan: terraform-plan in the one-pod validation, against a
// real state and a real "cloud". The state is in Terraform's kubernetes
// backend, a Secret of this cluster (the backend a K3s homelab chooses),
// read and written with a ServiceAccount's token that may touch only
// Secrets and Leases of its namespace; the cloud is the project's test
// provider, whose VMs are files on a volume. A VM is applied for real
// from the host; the repository adds a second; someone shrinks the
// first's disk by hand. The run plans the create and finds the drift,
// with the token and the provider's in the terraform-plan step alone and
// in no log; the same run untrusted plans nothing and says so.
func TestTerraformPlan(t *testing.T) {
	w := setup(t)
	install(t, w)

	// The state's namespace and who may use it, as a homelab would set
	// it up for its CI.
	const stateNS = "tfstate-e2e"
	namespace(t, stateNS)
	t.Cleanup(func() { kubectl(t, "", "delete", "namespace", stateNS, "--ignore-not-found", "--wait=false") })
	kubectl(t, `apiVersion: v1
kind: ServiceAccount
metadata: {name: terraform-state, namespace: `+stateNS+`}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: terraform-state, namespace: `+stateNS+`}
rules:
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get, list, create, update, patch, delete]
  - apiGroups: [coordination.k8s.io]
    resources: [leases]
    verbs: [get, list, create, update, patch, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: terraform-state, namespace: `+stateNS+`}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: terraform-state}
subjects: [{kind: ServiceAccount, name: terraform-state, namespace: `+stateNS+`}]
`, "apply", "-f", "-")
	stateToken := strings.TrimSpace(kubectl(t, "", "create", "token", "terraform-state", "-n", stateNS, "--duration", "1h"))
	ca := base64.StdEncoding.EncodeToString(must(os.ReadFile(filepath.Join(w.state, "pki", "ca.crt"))))
	kubeconfig := func(server string) string {
		return "apiVersion: v1\nkind: Config\nclusters:\n- name: lab\n  cluster: {server: \"" + server + "\", certificate-authority-data: " + ca +
			"}\nusers:\n- name: terraform-state\n  user: {token: " + stateToken + "}\ncontexts:\n- name: lab\n  context: {cluster: lab, user: terraform-state}\ncurrent-context: lab\n"
	}
	apiserver := must(url.Parse(must(clientcmd.BuildConfigFromFlags("", os.Getenv("KUBECONFIG"))).Host))
	hostConfig := filepath.Join(t.TempDir(), "kubeconfig")
	os.WriteFile(hostConfig, []byte(kubeconfig(apiserver.String())), 0o600)
	// This cluster's apiserver listens on 127.0.0.1 and has no Service
	// pods reach: a relay on the pods' bridge stands in for it, under the
	// name its certificate holds (the pod's hostAliases point it there).
	_, port, _ := net.SplitHostPort(w.relay(t, apiserver.Host))
	podConfig := kubeconfig("https://kubernetes.default.svc:" + port)

	// The provider mirror and the cloud, on one hostPath volume the
	// plumbline-validate run mounts as provider-mirror.
	vol := filepath.Join(w.state, "pv", "provider-mirror")
	os.RemoveAll(vol)
	// The mirror at the volume's top, as the Task passes it to terraform
	// (terraform passes over the cloud directory beside the provider's).
	if err := tftest.BuildMirror(vol); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(vol, "cloud"), 0o755)
	run(t, w.root, "chmod", "-R", "a+rX", vol)
	hostPathPV(t, "provider-mirror-e2e", vol, "provider-mirror", "ReadOnlyMany")
	kubectl(t, `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: provider-mirror, namespace: `+ns+`}
spec:
  accessModes: [ReadOnlyMany]
  storageClassName: ""
  volumeName: provider-mirror-e2e
  resources: {requests: {storage: 1Gi}}
`, "apply", "-f", "-")
	t.Cleanup(func() {
		// The runs' pods hold the claim: they go first.
		kubectl(t, "", "delete", "taskruns", "-n", ns, "-l", "plumbline.dev/e2e=plan", "--ignore-not-found")
		kubectl(t, "", "delete", "pvc", "-n", ns, "provider-mirror", "--ignore-not-found", "--wait=false")
		kubectl(t, "", "delete", "pv", "provider-mirror-e2e", "--ignore-not-found", "--wait=false")
	})

	const token = "lab-e2e-token-7c1d9e"
	module := func(vms string) string {
		return tftest.RequiredProviders + `
terraform {
  backend "kubernetes" {
    secret_suffix = "lab"
    namespace     = "` + stateNS + `"
  }
}

variable "cloud" {
  type = string
}

provider "lab" {
  endpoint = var.cloud
}
` + vms
	}
	web := "\nresource \"lab_vm\" \"web\" {\n  name      = \"web\"\n  disk_size = 32\n}\n"
	db := "\nresource \"lab_vm\" \"db\" {\n  name = \"db\"\n}\n"

	// Applied for real from the host: the state server and the cloud hold web.
	applied := t.TempDir()
	if err := os.WriteFile(filepath.Join(applied, "main.tf"), []byte(module(web)), 0o644); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(t.TempDir(), "tf.rc")
	os.WriteFile(rc, []byte("provider_installation {\n  filesystem_mirror {\n    path = \""+vol+"\"\n  }\n}\n"), 0o644)
	for _, args := range [][]string{{"init", "-input=false"}, {"apply", "-input=false", "-auto-approve"}} {
		cmd := exec.Command("terraform", args...)
		cmd.Dir = applied
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_DATA_DIR="+filepath.Join(applied, ".tfdata"),
			"TF_VAR_cloud="+filepath.Join(vol, "cloud"), "LAB_TOKEN="+token, "KUBE_CONFIG_PATH="+hostConfig)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform %v: %v\n%s", args, err, out)
		}
	}
	run(t, w.root, "chmod", "-R", "a+rX", filepath.Join(vol, "cloud"))
	// By hand, outside Terraform: web's disk shrinks.
	webJSON := filepath.Join(vol, "cloud", "web.json")
	data, err := os.ReadFile(webJSON)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(webJSON, []byte(strings.Replace(string(data), `"disk_size":32`, `"disk_size":16`, 1)), 0o644)

	// The repository adds db; its config plans only Terraform.
	repo := t.TempDir()
	run(t, repo, "mkdir", "-p", "terraform/lab")
	os.WriteFile(filepath.Join(repo, "terraform", "lab", "main.tf"), []byte(module(web+db)), 0o644)
	os.WriteFile(filepath.Join(repo, ".plumbline.yaml"), []byte("version: 1\nterraform:\n  enabled: false\npolicy:\n  enabled: false\nansible:\n  enabled: false\ndns:\n  enabled: false\n"), 0o644)
	bare := gitRepo(t, repo, filepath.Join(w.state, "git", "planned.git"))
	sha := run(t, bare, "git", "rev-parse", "main")

	secret := kubectl(t, "", "create", "secret", "generic", "plumbline-terraform", "-n", ns,
		"--from-literal=LAB_TOKEN="+token, "--from-literal=TF_VAR_cloud=/workspace/provider-mirror/cloud",
		// The kubeconfig as a file of the Secret, and the variable naming
		// where the Secret is mounted in the terraform-plan step.
		"--from-literal=kubeconfig="+podConfig, "--from-literal=KUBE_CONFIG_PATH=/workspace/terraform-credentials/kubeconfig",
		"--dry-run=client", "-o", "yaml")
	kubectl(t, secret, "apply", "-f", "-")
	t.Cleanup(func() {
		kubectl(t, kubectl(t, "", "create", "secret", "generic", "plumbline-terraform", "-n", ns, "--dry-run=client", "-o", "yaml"), "apply", "-f", "-")
	})
	start := func(trusted string) *pipelinev1.TaskRun {
		t.Helper()
		tr := &pipelinev1.TaskRun{
			ObjectMeta: metav1.ObjectMeta{GenerateName: "validate-plan-", Namespace: ns, Labels: map[string]string{"plumbline.dev/e2e": "plan"}},
			Spec: pipelinev1.TaskRunSpec{
				TaskRef: &pipelinev1.TaskRef{Name: "plumbline-validate"},
				Params: pipelinev1.Params{
					{Name: "repo-url", Value: *pipelinev1.NewStructuredValues("git://" + w.hostIP + "/planned.git")},
					{Name: "revision", Value: *pipelinev1.NewStructuredValues(sha)},
					{Name: "terraform-plan", Value: *pipelinev1.NewStructuredValues(trusted)},
				},
				PodTemplate: &pod.Template{AutomountServiceAccountToken: ptr.To(false),
					SecurityContext: &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](65532)},
					HostAliases:     []corev1.HostAlias{{IP: w.hostIP, Hostnames: []string{"kubernetes.default.svc"}}}},
				Workspaces: []pipelinev1.WorkspaceBinding{
					{Name: "terraform-credentials", Secret: &corev1.SecretVolumeSource{SecretName: "plumbline-terraform"}},
					{Name: "provider-mirror", PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "provider-mirror", ReadOnly: true}},
				},
			},
		}
		done, cond, res := w.runTaskRun(t, tr)
		t.Logf("%s: %s %v", done.Name, cond.Status, res)
		return done
	}
	done := start("true")
	out, _ := exec.Command("kubectl", "logs", "-n", ns, done.Status.PodName, "-c", "step-report").CombinedOutput()
	merged := string(out)
	for _, want := range []string{"terraform/plan-create", "lab_vm.db will be created", "terraform/plan-drift", "lab_vm.web was changed outside Terraform", "disk_size = 32 -> 16"} {
		if !strings.Contains(merged, want) {
			t.Errorf("the report lacks %q:\n%s", want, tail(merged, 60))
		}
	}
	w.mountedOnlyBy(t, done, "/workspace/terraform-credentials", "step-terraform-plan")
	all, _ := exec.Command("kubectl", "logs", "-n", ns, done.Status.PodName, "--all-containers").CombinedOutput()
	if strings.Contains(string(all), token) || strings.Contains(string(all), stateToken) {
		t.Error("the provider's token or the state's is in the pod's logs")
	}
	// The state the run read is the cluster's Secret.
	if kubectl(t, "", "get", "secret", "tfstate-default-lab", "-n", stateNS, "-o", "jsonpath={.data.tfstate}") == "" {
		t.Error("no state Secret tfstate-default-lab in " + stateNS)
	}
	if _, err := os.Stat(filepath.Join(vol, "cloud", "db.json")); err == nil {
		t.Error("the plan created db: a plan applies nothing")
	}

	untrusted := start("false")
	out, _ = exec.Command("kubectl", "logs", "-n", ns, untrusted.Status.PodName, "-c", "step-report").CombinedOutput()
	if !strings.Contains(string(out), "not planned: the run is not trusted") || strings.Contains(string(out), "terraform/plan-create") {
		t.Errorf("the untrusted run:\n%s", tail(string(out), 40))
	}
}

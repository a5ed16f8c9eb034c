package plumbline

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/internal/testfs"
	"github.com/plumbline/plumbline/internal/tftest"
	"github.com/plumbline/plumbline/pkg/cli"
)

// TestCheckPlan: plumbline check --plan on a laptop: the module applied
// for real (terraform, the test provider from a mirror), then its disk
// made smaller in the repository; the plan says so at the resource, and
// the repository's own policy on plans finds it at the module, the token
// of the environment in neither.
func TestCheckPlan(t *testing.T) {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		need.Missing(t, "needs the real terraform: %v", err)
	}
	repo, cloud, tmp := t.TempDir(), t.TempDir(), t.TempDir()
	// The repository keeps its providers' mirror, as an offline homelab may.
	mirror := filepath.Join(repo, ".terraform-mirror")
	if err := tftest.BuildMirror(mirror); err != nil {
		t.Fatal(err)
	}
	const token = "lab-token-0e1f2a3b4c5d"
	t.Setenv("LAB_TOKEN", token)
	module := func(disk string) string {
		return tftest.RequiredProviders + "\nprovider \"lab\" {\n  endpoint = \"" + cloud + "\"\n}\n\nresource \"lab_vm\" \"web\" {\n  name      = \"web\"\n  disk_size = " + disk + "\n}\n"
	}
	testfs.WriteAll(t, repo, map[string]string{
		".plumbline.yaml":       "version: 1\nterraformPlan:\n  providerMirror: .terraform-mirror\n",
		"terraform/lab/main.tf": module("32"),
		"policy/plan.rego": `package main

import rego.v1

deny contains msg if {
	some rc in input.resource_changes
	rc.type == "lab_vm"
	rc.change.after.disk_size < rc.change.before.disk_size
	msg := sprintf("%s: the disk shrinks", [rc.address])
}
`,
	})
	cfg := filepath.Join(tmp, "tf.rc")
	testfs.Write(t, tmp, "tf.rc", "provider_installation {\n  filesystem_mirror {\n    path = \""+mirror+"\"\n  }\n}\n")
	for _, args := range [][]string{{"init", "-input=false"}, {"apply", "-input=false", "-auto-approve"}} {
		cmd := exec.Command(tf, args...)
		cmd.Dir = filepath.Join(repo, "terraform", "lab")
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cfg, "TF_DATA_DIR="+filepath.Join(tmp, "data"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform %v: %v\n%s", args, err, out)
		}
	}
	os.Remove(filepath.Join(repo, "terraform", "lab", ".terraform.lock.hcl"))
	testfs.Write(t, repo, "terraform/lab/main.tf", module("16"))

	code, r, stderr := check(t, &Check{}, repo, "--plan", "--only", "policy")
	var got []string
	for _, f := range r.Findings {
		if f.Rule == "terraform/plan-update" || f.Rule == "main/deny" {
			got = append(got, f.Rule+" "+f.Location()+" "+f.Message)
		}
	}
	want := []string{
		"main/deny terraform/lab lab_vm.web: the disk shrinks",
		"terraform/plan-update terraform/lab/main.tf:14 terraform/lab: lab_vm.web will be updated in place",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("exit %d, findings:\n%s\nwant:\n%s\n%s", code, strings.Join(got, "\n"), strings.Join(want, "\n"), stderr)
	}
	if code != cli.ExitFindings {
		t.Errorf("exit %d", code)
	}
	if st := status(r); st["terraform-plan"] != "ran:" {
		t.Errorf("terraform-plan did not run: %v", st)
	}
	if strings.Contains(stderr, token) {
		t.Error("the token is in the output")
	}
}

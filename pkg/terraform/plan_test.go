package terraform

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/internal/testfs"
	"github.com/plumbline/plumbline/internal/tftest"
	"github.com/plumbline/plumbline/pkg/report"
)

const labToken = "lab-token-5f0c9a7e21d4"

// emptyState is a local state with nothing in it yet.
const emptyState = `{"version": 4, "terraform_version": "1.11.0", "serial": 1, "lineage": "x", "outputs": {}, "resources": []}`

// labModule is a root module of the test provider whose cloud is the
// directory cloud: what terraform applies there is a file per VM.
func labModule(cloud, vms string) string {
	return tftest.RequiredProviders + `
provider "lab" {
  endpoint = "` + cloud + `"
}
` + vms
}

// applied writes the module into dir and applies it with the real
// terraform: the state and the cloud hold its VMs.
func applied(t *testing.T, bin, dir, cloud, vms string) {
	t.Helper()
	testfs.Write(t, dir, "main.tf", labModule(cloud, vms))
	tmp := t.TempDir()
	env, _, err := (&Check{mirror: mirror(t)}).environment(tmp, true)
	if err != nil {
		t.Fatal(err)
	}
	env["TF_DATA_DIR"] = filepath.Join(tmp, "data")
	env["LAB_TOKEN"] = labToken
	tf := &Exec{Bin: bin, Env: BaseEnv()}
	ctx := context.Background()
	if err := tf.InitBackend(ctx, dir, env, ""); err != nil {
		t.Fatalf("init: %v %s", err, err.(*PlanError).Output)
	}
	res, err := tf.run(ctx, dir, env, nil, "apply", "-no-color", "-input=false", "-auto-approve")
	if err != nil || res.Code != 0 {
		t.Fatalf("apply: %v %s", err, res.Stderr)
	}
	os.Remove(filepath.Join(dir, ".terraform.lock.hcl"))
}

func runPlan(t *testing.T, bin, dir string, args ...string) (*report.Report, string, error) {
	t.Helper()
	return clitest.RunCheck(t, PlanCommand().Check, dir, append([]string{"--terraform-bin", bin}, args...)...)
}

// eachBinary runs test with terraform (or what PLUMBLINE_TERRAFORM names)
// and with OpenTofu (make tools builds it): a plan reads the same with
// either.
func eachBinary(t *testing.T, test func(t *testing.T, bin string)) {
	needTerraform(t)
	tf, err := FindBinary(os.Getenv("PLUMBLINE_TERRAFORM"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run(filepath.Base(tf), func(t *testing.T) { test(t, tf) })
	t.Run("tofu", func(t *testing.T) {
		// Optional: five minutes to build from empty caches, past CI's
		// budget for a clean clone; make tofu builds it.
		bin := filepath.Join(need.ModuleRoot(), "build", "tools", "tofu")
		if b := os.Getenv("PLUMBLINE_TOFU"); b != "" {
			bin = b
		}
		if _, err := os.Stat(bin); err != nil {
			t.Skipf("OpenTofu is not built here (make tofu builds it from the module proxy): %v", err)
		}
		test(t, bin)
	})
}

// TestPlan: a module applied for real, then changed in the repository
// and, for one VM, in the cloud: the plan says what it creates, updates,
// replaces and destroys, and what drifted, at each resource's block, with
// the attributes that change; the password and the credential are in no
// output, not even the plan JSON policy-check gets.
func TestPlan(t *testing.T) {
	eachBinary(t, func(t *testing.T, bin string) { testplan(t, bin) })
}

func testplan(t *testing.T, bin string) {
	repo, cloud := t.TempDir(), t.TempDir()
	dir := filepath.Join(repo, "terraform", "lab")
	applied(t, bin, dir, cloud, `
resource "lab_vm" "web" {
  name      = "web"
  cores     = 2
  disk_size = 32
  ip        = "10.0.20.10"
  password  = "hunter2-hunter2"
}

resource "lab_vm" "db" {
  name  = "db"
  cores = 2
}

resource "lab_vm" "old" {
  name = "old"
}
`)
	// Outside Terraform: someone shrank web's disk by hand.
	data, err := os.ReadFile(filepath.Join(cloud, "web.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cloud, "web.json"), []byte(strings.Replace(string(data), `"disk_size":32`, `"disk_size":16`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	testfs.Write(t, dir, "main.tf", labModule(cloud, `
resource "lab_vm" "web" {
  name      = "web"
  cores     = 4
  disk_size = 32
  ip        = "10.0.20.10"
  password  = "hunter2-hunter2"
}

resource "lab_vm" "db" {
  name  = "db2"
  cores = 2
}

resource "lab_vm" "new" {
  name = "new"
}
`))
	creds := t.TempDir()
	testfs.Write(t, creds, "LAB_TOKEN", labToken+"\n")
	plans := t.TempDir()
	r, progress, err := runPlan(t, bin, repo, "--provider-mirror", mirror(t), "--credentials-dir", creds, "--plan-dir", plans, "--max-destroy", "1", "terraform")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, fmt.Sprintf("%s %s %s: %s", f.Severity, f.Rule, f.Location(), f.Message))
	}
	want := []string{
		// Where no block is (a resource removed), the module.
		"warning terraform/plan-destroy terraform/lab: terraform/lab: lab_vm.old will be destroyed",
		"error terraform/plan-max-destroy terraform/lab: terraform/lab: the plan destroys or replaces 2 of the 3 resources in the state, more than --max-destroy 1 allows: if it is meant, raise terraformPlan.maxDestroy for this change",
		"warning terraform/plan-drift terraform/lab/main.tf:14: terraform/lab: lab_vm.web was changed outside Terraform: the state no longer says what runs",
		"note terraform/plan-update terraform/lab/main.tf:14: terraform/lab: lab_vm.web will be updated in place",
		"warning terraform/plan-replace terraform/lab/main.tf:22: terraform/lab: lab_vm.db will be replaced (name forces it)",
		"note terraform/plan-create terraform/lab/main.tf:27: terraform/lab: lab_vm.new will be created",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
	diffs := map[string]string{}
	for _, f := range r.Findings {
		diffs[f.Rule] = f.Diff
	}
	for rule, lines := range map[string][]string{
		RulePlanUpdate:  {"~ lab_vm.web", "~ cores = 2 -> 4", "~ disk_size = 16 -> 32"},
		RulePlanReplace: {"-/+ lab_vm.db", `~ name = "db" -> "db2"`},
		RulePlanCreate:  {"+ lab_vm.new", `+ name = "new"`, "+ id = (known after apply)"},
		RulePlanDrift:   {"~ disk_size = 32 -> 16"},
	} {
		for _, l := range lines {
			if !strings.Contains(diffs[rule], l) {
				t.Errorf("%s's diff lacks %q:\n%s", rule, l, diffs[rule])
			}
		}
	}
	if c := r.Counts; c["create"] != 1 || c["update"] != 1 || c["replace"] != 1 || c["destroy"] != 1 || c["drift"] != 1 {
		t.Errorf("counts %v", c)
	}
	if !strings.Contains(progress, "terraform/lab: 1 to add, 1 to change, 1 to replace, 1 to destroy, 1 drifted") {
		t.Errorf("progress: %q", progress)
	}
	all, _ := json.Marshal(r)
	planJSON, err := os.ReadFile(filepath.Join(plans, "terraform__lab.tfplan.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"hunter2", labToken} {
		if strings.Contains(string(all)+progress, leak) || strings.Contains(string(planJSON), leak) {
			t.Errorf("%q is in the report, the progress or the plan JSON", leak)
		}
	}
	var p map[string]any
	if err := json.Unmarshal(planJSON, &p); err != nil || p["resource_changes"] == nil || p["configuration"] != nil {
		t.Errorf("the plan JSON is not the masked plan: %v %v", err, p["configuration"] != nil)
	}
	// The repository is left as it was: no lock file, no .terraform.
	for _, leftover := range []string{".terraform.lock.hcl", ".terraform"} {
		if _, err := os.Stat(filepath.Join(dir, leftover)); err == nil {
			t.Errorf("%s left in the module", leftover)
		}
	}
	// The cloud is as it was: a plan applies nothing.
	if _, err := os.Stat(filepath.Join(cloud, "old.json")); err != nil {
		t.Errorf("the plan changed the cloud: %v", err)
	}
}

// TestPlanFailuresMasked: a plan that fails is an error finding with
// terraform's message, the credentials in it masked; without
// credentials the provider refuses, and says which it wants.
func TestPlanFailuresMasked(t *testing.T) {
	eachBinary(t, func(t *testing.T, bin string) { testplanfailuresmasked(t, bin) })
}

func testplanfailuresmasked(t *testing.T, bin string) {
	repo, cloud := t.TempDir(), t.TempDir()
	testfs.Write(t, repo, "terraform/lab/main.tf", labModule(cloud, `
variable "token" {
  type = string
  validation {
    condition     = length(var.token) < 5
    error_message = "token ${var.token} is too long"
  }
}

resource "lab_vm" "web" {
  name = "web"
}
`))
	testfs.Write(t, repo, "terraform/lab/terraform.tfstate", emptyState)
	creds := t.TempDir()
	testfs.Write(t, creds, "LAB_TOKEN", labToken)
	testfs.Write(t, creds, "TF_VAR_token", labToken)
	r, _, err := runPlan(t, bin, repo, "--provider-mirror", mirror(t), "--credentials-dir", creds, "terraform")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 1 || r.Findings[0].Rule != RulePlanError || !strings.Contains(r.Findings[0].Message, "token **** is too long") {
		t.Fatalf("want one plan-error with the token masked: %+v", r.Findings)
	}
	os.Remove(filepath.Join(creds, "TF_VAR_token"))
	os.Remove(filepath.Join(creds, "LAB_TOKEN"))
	testfs.Write(t, repo, "terraform/lab/main.tf", labModule(cloud, `resource "lab_vm" "web" { name = "web" }`+"\n"))
	r, _, err = runPlan(t, bin, repo, "--provider-mirror", mirror(t), "--credentials-dir", creds, "terraform")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 1 || !strings.Contains(r.Findings[0].Message, "set LAB_TOKEN") {
		t.Fatalf("want the provider's refusal: %+v", r.Findings)
	}
}

// TestMaxDestroy: a count, or a percentage of a state of at least ten.
func TestMaxDestroy(t *testing.T) {
	for _, tc := range []struct {
		limit          string
		gone, existing int
		over           bool
	}{
		{"1", 2, 3, true},
		{"2", 2, 3, false},
		{"30%", 2, 3, false}, // too small a state for a percentage
		{"30%", 3, 10, false},
		{"30%", 4, 10, true},
		{"0", 1, 100, true},
	} {
		var l limit
		if err := l.Set(tc.limit); err != nil {
			t.Fatal(err)
		}
		p := planOf(tc.gone, tc.existing)
		fs, _ := summarise("m", p, func(string, string) (string, int) { return "", 0 }, l, func(s string) string { return s })
		over := false
		for _, f := range fs {
			over = over || f.Rule == RulePlanMaxDestroy
		}
		if over != tc.over {
			t.Errorf("%s with %d of %d gone: over %v, want %v", tc.limit, tc.gone, tc.existing, over, tc.over)
		}
	}
	for _, bad := range []string{"", "x", "-1", "101%", "5.5"} {
		var l limit
		if err := l.Set(bad); err == nil {
			t.Errorf("--max-destroy %q accepted", bad)
		}
	}
}

// planOf is a plan destroying gone of the existing resources.
func planOf(gone, existing int) *tfjson.Plan {
	p := &tfjson.Plan{PriorState: &tfjson.State{Values: &tfjson.StateValues{RootModule: &tfjson.StateModule{}}}}
	for i := range existing {
		p.PriorState.Values.RootModule.Resources = append(p.PriorState.Values.RootModule.Resources,
			&tfjson.StateResource{Address: fmt.Sprintf("lab_vm.v%d", i), Mode: tfjson.ManagedResourceMode})
	}
	for i := range gone {
		p.ResourceChanges = append(p.ResourceChanges, &tfjson.ResourceChange{Address: fmt.Sprintf("lab_vm.v%d", i),
			Mode: tfjson.ManagedResourceMode, Change: &tfjson.Change{Actions: tfjson.Actions{tfjson.ActionDelete}}})
	}
	return p
}

// TestPlanNoState: a module whose state is local and not there (a fresh
// clone) is not planned, and the note says why; one with a backend is.
func TestPlanNoState(t *testing.T) {
	eachBinary(t, func(t *testing.T, bin string) { testplannostate(t, bin) })
}

func testplannostate(t *testing.T, bin string) {
	repo, cloud := t.TempDir(), t.TempDir()
	testfs.Write(t, repo, "terraform/fresh/main.tf", labModule(cloud, `resource "lab_vm" "web" { name = "web" }`+"\n"))
	testfs.Write(t, repo, "terraform/elsewhere/main.tf", labModule(cloud, `
terraform {
  backend "local" {
    path = "../state/elsewhere.tfstate"
  }
}
resource "lab_vm" "db" { name = "db" }
`))
	creds := t.TempDir()
	testfs.Write(t, creds, "LAB_TOKEN", labToken)
	r, _, err := runPlan(t, bin, repo, "--provider-mirror", mirror(t), "--credentials-dir", creds, "terraform")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Rule+" "+f.Location())
	}
	if d := cmp.Diff([]string{RulePlanNoState + " terraform/elsewhere", RulePlanNoState + " terraform/fresh"}, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	testfs.Write(t, repo, "terraform/state/elsewhere.tfstate", emptyState)
	r, _, err = runPlan(t, bin, repo, "--provider-mirror", mirror(t), "--credentials-dir", creds, "terraform")
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, f := range r.Findings {
		got = append(got, f.Rule+" "+f.Location())
	}
	if d := cmp.Diff([]string{RulePlanCreate + " terraform/elsewhere/main.tf:19", RulePlanNoState + " terraform/fresh"}, got); d != "" {
		t.Errorf("with its state (-want +got):\n%s", d)
	}
}

// TestTofuFiles: OpenTofu's .tofu files are configuration: the static
// rules check them as they check .tf files.
func TestTofuFiles(t *testing.T) {
	repo := t.TempDir()
	testfs.Write(t, repo, "terraform/lab/main.tofu", "variable \"api_token\" {\n  type    = string\n  default = \"s3cr3t-t0ken-value\"\n}\n")
	r, _, err := clitest.RunCheck(t, &Check{}, repo, "--offline", "--fmt=false", "terraform")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Rule+" "+f.Location())
	}
	if !slices.Contains(got, RuleSecretLiteral+" terraform/lab/main.tofu:3:3") {
		t.Errorf("the .tofu file was not checked: %v", got)
	}
}

// TestChanges: with a pull request's diff, only the root modules it
// touches, in their files or a local module they call, are checked (their
// static findings show which); a change to no Terraform module is a skip,
// to .plumbline.yaml or with no diff file (a push) everything. The diffs
// are real git's.
func TestChanges(t *testing.T) {
	repo := t.TempDir()
	v := func(name string) string { return "variable \"" + name + "\" {\n  type = string\n}\n" }
	testfs.WriteAll(t, repo, map[string]string{
		"terraform/envs/a/main.tf":     v("a") + "module \"vm\" {\n  source = \"../../modules/vm\"\n  name   = var.a\n}\n",
		"terraform/envs/b/main.tf":     v("b") + "output \"b\" {\n  value = var.b\n}\n",
		"terraform/modules/vm/main.tf": v("name") + "output \"n\" {\n  value = var.name\n}\n",
		"README.md":                    "# infra\n",
		".plumbline.yaml":              "version: 1\n",
	})
	git := func(args ...string) string { t.Helper(); return testfs.Git(t, repo, args...) }
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "base")
	for _, tc := range []struct {
		name, file, text string
		want             []string // the files with findings
		skipped          bool
	}{
		{"a module a root calls", "terraform/modules/vm/main.tf", v("name") + "output \"n\" {\n  value = upper(var.name)\n}\n",
			[]string{"terraform/envs/a/main.tf", "terraform/modules/vm/main.tf"}, false},
		{"one root module", "terraform/envs/b/main.tf", v("b") + "output \"b\" {\n  value = lower(var.b)\n}\n",
			[]string{"terraform/envs/b/main.tf"}, false},
		{"no Terraform", "README.md", "# infra, again\n", nil, true},
		{"the config", ".plumbline.yaml", "version: 1\nfailOn: warning\n",
			[]string{"terraform/envs/a/main.tf", "terraform/envs/b/main.tf", "terraform/modules/vm/main.tf"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testfs.Write(t, repo, tc.file, tc.text)
			defer git("checkout", "-q", "--", ".")
			diff := filepath.Join(t.TempDir(), "changes.diff")
			if err := os.WriteFile(diff, []byte(git("diff", "-U0", "main", "--")), 0o644); err != nil {
				t.Fatal(err)
			}
			r, _, err := clitest.RunCheck(t, &Check{}, repo, "--offline", "--fmt=false", "--changes", diff, "terraform")
			if tc.skipped {
				if err == nil || !strings.Contains(err.Error(), "touches no Terraform root module") {
					t.Fatalf("want a skip: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			files := map[string]bool{}
			for _, f := range r.Findings {
				files[f.File] = true
			}
			got := slices.Sorted(maps.Keys(files))
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("checked (-want +got):\n%s", d)
			}
		})
	}
	// No diff file: a push, everything.
	r, _, err := clitest.RunCheck(t, &Check{}, repo, "--offline", "--fmt=false", "--changes", filepath.Join(repo, "none.diff"), "terraform")
	if err != nil || len(r.Findings) < 3 {
		t.Errorf("a push: %v %v", err, r.Findings)
	}
}

// TestCredentialsBounded: a credentials directory is read within bounds:
// a file too large, or a symlink out of it, is a usage error naming it,
// and nothing is planned.
func TestCredentialsBounded(t *testing.T) {
	repo, creds := t.TempDir(), t.TempDir()
	testfs.Write(t, repo, "terraform/lab/main.tf", labModule(t.TempDir(), `resource "lab_vm" "web" { name = "web" }`+"\n"))
	testfs.Write(t, creds, "KUBE_CONFIG", strings.Repeat("x", maxCredential+1))
	_, _, err := runPlan(t, "terraform", repo, "--credentials-dir", creds, "terraform")
	if err == nil || !strings.Contains(err.Error(), "KUBE_CONFIG") {
		t.Errorf("an oversized credential: %v", err)
	}
	os.Remove(filepath.Join(creds, "KUBE_CONFIG"))
	outside := filepath.Join(t.TempDir(), "secret")
	testfs.Write(t, filepath.Dir(outside), "secret", "s3cr3t")
	if err := os.Symlink(outside, filepath.Join(creds, "TOKEN")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runPlan(t, "terraform", repo, "--credentials-dir", creds, "terraform"); err == nil || !strings.Contains(err.Error(), "TOKEN") {
		t.Errorf("a symlink out of the directory: %v", err)
	}
}

// TestMaskPlan: what terraform marks sensitive, and what sits under a
// credential's name, is masked everywhere the plan JSON holds values;
// the configuration and the variables are left out.
func TestMaskPlan(t *testing.T) {
	in := `{"format_version":"1.2","terraform_version":"1.11.0",
"variables":{"pm_password":{"value":"v-hunter2"}},
"configuration":{"provider_config":{"proxmox":{"expressions":{"password":{"constant_value":"c-hunter2"}}}}},
"resource_changes":[{"address":"a.b","mode":"managed","change":{"actions":["update"],
  "before":{"user_account":[{"password":"b-hunter2","username":"root"}],"ip":"10.0.0.1"},
  "after":{"user_account":[{"password":"a-hunter2","username":"root"}],"ip":"10.0.0.2","note":"s-hunter2"},
  "before_sensitive":{},"after_sensitive":{"note":true}}}],
"output_changes":{"api_token":{"actions":["create"],"after":"o-hunter2"}},
"planned_values":{"outputs":{"x":{"sensitive":true,"value":"p-hunter2"}},"root_module":{"child_modules":[{"resources":[{"values":{"token":"m-hunter2","n":1},"sensitive_values":{}}]}]}}}`
	out, err := maskPlan([]byte(in), masker(map[string]string{"X": "10.0.0.2"}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "hunter2") {
		t.Errorf("a secret is left:\n%s", out)
	}
	for _, want := range []string{`"username": "root"`, `"ip": "10.0.0.1"`, `"ip": "****"`, `"n": 1`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %s in:\n%s", want, out)
		}
	}
}

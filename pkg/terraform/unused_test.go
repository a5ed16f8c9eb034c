package terraform

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/need"
)

// TestUnusedAsTflint: terraform/unused-declaration reports exactly what
// tflint's terraform_unused_declarations reports (file and line), on our
// fixtures, the example homelab and the corpus modules of both Proxmox
// providers, terraform-aws-modules and a homelab (make tools builds
// tflint from the module proxy).
func TestUnusedAsTflint(t *testing.T) {
	tflint := need.Tool(t, "tflint", "v0.55.0")
	root := moduleRootDir(t)
	dirs := []string{
		"pkg/terraform/testdata/rules", "pkg/terraform/testdata/unused",
		"examples/homelab/terraform/envs/prod", "examples/homelab/terraform/envs/lab",
		"examples/homelab/terraform/modules/proxmox-vm", "examples/homelab/terraform/modules/proxmox-lxc",
		"test/corpus/repos/bpg+terraform-provider-proxmox/example",
		"test/corpus/repos/bpg+terraform-provider-proxmox/example/test-api-creds-auth",
		"test/corpus/repos/Telmate+terraform-provider-proxmox/docs/examples",
		"test/corpus/repos/Telmate+terraform-provider-proxmox/docs/examples/bug_reporting",
		"test/corpus/repos/terraform-aws-modules+terraform-aws-rds",
	}
	mods, _ := filepath.Glob(filepath.Join(root, "test/corpus/repos/terraform-aws-modules+terraform-aws-rds/modules/*"))
	exs, _ := filepath.Glob(filepath.Join(root, "test/corpus/repos/terraform-aws-modules+terraform-aws-rds/examples/*"))
	kh, _ := filepath.Glob(filepath.Join(root, "test/corpus/repos/khuedoan+homelab/external/*"))
	for _, m := range append(append(mods, exs...), kh...) {
		if fi, err := os.Stat(m); err != nil || !fi.IsDir() {
			continue
		}
		if rel, err := filepath.Rel(root, m); err == nil {
			dirs = append(dirs, rel)
		}
	}
	total := 0
	for _, d := range dirs {
		abs := filepath.Join(root, d)
		cmd := exec.Command(tflint, "--format=json", "--only=terraform_unused_declarations", "--force")
		cmd.Dir = abs
		cmd.Env = append(os.Environ(), "TFLINT_PLUGIN_DIR="+t.TempDir(), "HOME="+t.TempDir())
		out, _ := cmd.Output() // exit 2 with issues, 1 with errors
		var res struct {
			Errors []struct{ Message string } `json:"errors"`
			Issues []struct {
				Rule  struct{ Name string } `json:"rule"`
				Range struct {
					Filename string             `json:"filename"`
					Start    struct{ Line int } `json:"start"`
				} `json:"range"`
			} `json:"issues"`
		}
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("%s: tflint's output: %v\n%s", d, err, out)
		}
		if len(res.Errors) > 0 {
			// tflint judges nothing in a module it cannot evaluate (an
			// undeclared variable, planted in some fixtures).
			t.Logf("%s: not compared, tflint refuses it: %s", d, res.Errors[0].Message)
			continue
		}
		var want []string
		for _, is := range res.Issues {
			if is.Rule.Name == "terraform_unused_declarations" {
				want = append(want, filepath.Base(is.Range.Filename)+":"+strconv.Itoa(is.Range.Start.Line))
			}
		}
		var sources []*source
		files, _ := os.ReadDir(abs)
		for _, f := range files {
			if f.IsDir() || !isTerraformFile(f.Name()) {
				continue
			}
			s, _ := parseFile(filepath.Join(abs, f.Name()), f.Name())
			if s != nil {
				sources = append(sources, s)
			}
		}
		var got []string
		for _, h := range unusedRules(sources) {
			got = append(got, h.File+":"+strconv.Itoa(h.Line))
		}
		slices.Sort(want)
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-tflint +ours):\n%s", d, diff)
		}
		total += len(want)
	}
	t.Logf("%d modules, %d unused declarations, as tflint reports them", len(dirs), total)
	if total < 10 {
		t.Errorf("only %d unused declarations in all: the comparison proves little", total)
	}
}

// moduleRootDir is the repository's root (go test runs in the package).
func moduleRootDir(t *testing.T) string {
	wd, _ := os.Getwd()
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}

package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plumbline/plumbline/internal/tftest"
	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/terraform"
)

// genModules writes n root modules that use the test provider, each with a
// few resources and a local child module, and returns their directories.
func genModules(b *testing.B, root string, n int) []string {
	write := func(p, s string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write(filepath.Join(root, "modules", "vm", "main.tf"), tftest.RequiredProviders+`
variable "name" {
  type        = string
  description = "VM name."
}

resource "lab_vm" "this" {
  name  = var.name
  cores = 2
}
`)
	var dirs []string
	for i := range n {
		dir := filepath.Join(root, "envs", fmt.Sprintf("env%02d", i))
		var body strings.Builder
		body.WriteString(tftest.RequiredProviders)
		for j := range 10 {
			fmt.Fprintf(&body, "\nresource \"lab_vm\" \"vm%d\" {\n  name  = \"env%02d-vm%d\"\n  cores = %d\n}\n", j, i, j, j%4+1)
		}
		fmt.Fprintf(&body, "\nmodule \"child\" {\n  source = \"../../modules/vm\"\n  name   = \"env%02d-child\"\n}\n", i)
		write(filepath.Join(dir, "main.tf"), body.String())
		dirs = append(dirs, dir)
	}
	return dirs
}

// naive is the loop users run today: terraform init -backend=false &&
// terraform validate, one module after the other, from the same mirror.
func naive(b *testing.B, tf, mirror string, dirs []string) {
	cfg := filepath.Join(b.TempDir(), "naive.tfrc")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror)), 0o644); err != nil {
		b.Fatal(err)
	}
	for i, dir := range dirs {
		env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+cfg, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
			"TF_DATA_DIR="+filepath.Join(b.TempDir(), fmt.Sprint(i)))
		for _, args := range [][]string{{"init", "-backend=false", "-input=false", "-no-color"}, {"validate", "-json", "-no-color"}} {
			cmd := exec.Command(tf, args...)
			cmd.Dir, cmd.Env = dir, env
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%s %s in %s: %v\n%s", tf, args[0], dir, err, out)
			}
		}
		os.Remove(filepath.Join(dir, ".terraform.lock.hcl"))
	}
}

func plumbline(b *testing.B, args ...string) {
	var out bytes.Buffer
	code := cli.Main(context.Background(), cli.Command{Name: terraform.Tool, Check: &terraform.Check{}},
		args, cli.Env{Stdout: &out, Stderr: &out})
	if code != cli.ExitPass {
		b.Fatalf("terraform-validate exited %d:\n%s", code, out.String())
	}
}

// BenchmarkTerraformValidate20Modules: terraform-validate (parallel, shared
// plugin cache, one init for root modules with the same providers)
// against the naive sequential loop on 20 generated root modules, both
// measured in the same run; goal: naive/plumbline >= 2.2 (issue 37).
func BenchmarkTerraformValidate20Modules(b *testing.B) { benchModules(b, 20) }

// BenchmarkTerraformValidate1Module: the same on one root module, where
// there is nothing to share; goal: never slower than the naive pair.
func BenchmarkTerraformValidate1Module(b *testing.B) { benchModules(b, 1) }

func benchModules(b *testing.B, n int) {
	tf, err := terraform.FindBinary("")
	if err != nil {
		b.Fatal(err)
	}
	mirror := b.TempDir()
	if err := tftest.BuildMirror(mirror); err != nil {
		b.Fatal(err)
	}
	root := b.TempDir()
	dirs := genModules(b, root, n)
	b.Chdir(root)
	var ours, peer time.Duration
	timed := func(f func()) time.Duration {
		start := time.Now()
		f()
		return time.Since(start)
	}
	i := 0
	for b.Loop() {
		// Each goes first every other time: the second runs on what the
		// first left warm.
		first := func() { peer += timed(func() { naive(b, tf, mirror, dirs) }) }
		second := func() { ours += timed(func() { plumbline(b, "--provider-mirror", mirror, "--fmt=false", "envs") }) }
		if i++; i%2 == 0 {
			first, second = second, first
		}
		first()
		second()
	}
	b.ReportMetric(peer.Seconds()/ours.Seconds(), "x-faster-than-naive-loop")
	b.ReportMetric(peer.Seconds()/float64(b.N), "naive-s/op")
	b.ReportMetric(ours.Seconds()/float64(b.N), "plumbline-s/op")
}

// genBuiltinModules writes n root modules that need no provider at all,
// as issue 37 describes the workload: a terraform block with
// required_version, ten typed variables and ten terraform_data resources
// whose inputs interpolate them; init has nothing to download.
func genBuiltinModules(b *testing.B, root string, n int) []string {
	types := []string{"string", "number", "bool", "list(string)", "map(number)", "set(string)",
		"object({\n    name = string\n    size = optional(number, 8)\n  })", "tuple([string, number])", "any", "list(map(string))"}
	var dirs []string
	for i := range n {
		dir := filepath.Join(root, "envs", fmt.Sprintf("env%02d", i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		var body strings.Builder
		body.WriteString("terraform {\n  required_version = \">= 1.3\"\n}\n")
		for j, t := range types {
			// terraform fmt aligns the = of single-line attributes only.
			pad := "       "
			if strings.Contains(t, "\n") {
				pad = ""
			}
			fmt.Fprintf(&body, "\nvariable \"v%d\" {\n  type %s= %s\n  description = \"Input %d of env%02d.\"\n  default     = null\n}\n", j, pad, t, j, i)
		}
		for j := range 10 {
			fmt.Fprintf(&body, "\nresource \"terraform_data\" \"step%d\" {\n  input = \"${jsonencode(var.v%d)}-%d\"\n}\n", j, j, j)
		}
		body.WriteString("\noutput \"first\" {\n  value       = terraform_data.step0.output\n  description = \"The first step.\"\n}\n")
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(body.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	return dirs
}

// cpuNow is the CPU time this process and its waited-for children used.
func cpuNow() time.Duration {
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(kids.Utime) + tv(kids.Stime)
}

// BenchmarkTerraformValidate20BuiltinModules: the same comparison on 20
// root modules with only built-in resources, where the naive loop's init
// is cheap (issue 22 measured terraform-validate slower there); CPU time
// of each side is reported too.
func BenchmarkTerraformValidate20BuiltinModules(b *testing.B) {
	tf, err := terraform.FindBinary("")
	if err != nil {
		b.Fatal(err)
	}
	mirror := b.TempDir() // empty: nothing is installed from it
	root := b.TempDir()
	dirs := genBuiltinModules(b, root, 20)
	b.Chdir(root)
	var ours, peer, oursCPU, peerCPU time.Duration
	for b.Loop() {
		start, c0 := time.Now(), cpuNow()
		naive(b, tf, mirror, dirs)
		mid, c1 := time.Now(), cpuNow()
		plumbline(b, "--provider-mirror", mirror, "--fmt=false", "envs")
		ours += time.Since(mid)
		peer += mid.Sub(start)
		oursCPU += cpuNow() - c1
		peerCPU += c1 - c0
	}
	n := float64(b.N)
	b.ReportMetric(peer.Seconds()/ours.Seconds(), "x-faster-than-naive-loop")
	b.ReportMetric(peer.Seconds()/n, "naive-s/op")
	b.ReportMetric(ours.Seconds()/n, "plumbline-s/op")
	b.ReportMetric(peerCPU.Seconds()/n, "naive-cpu-s/op")
	b.ReportMetric(oursCPU.Seconds()/n, "plumbline-cpu-s/op")
}

// BenchmarkTerraformValidate20BuiltinModulesFmt: the same modules with
// fmt on both sides (the naive loop adds terraform fmt -check per
// module). Their values interpolate ("${var.name}-1"): none is one that
// terraform fmt unwraps, so no file needs a terraform fmt process (issue
// 37 section 4).
func BenchmarkTerraformValidate20BuiltinModulesFmt(b *testing.B) {
	tf, err := terraform.FindBinary("")
	if err != nil {
		b.Fatal(err)
	}
	mirror := b.TempDir()
	root := b.TempDir()
	dirs := genBuiltinModules(b, root, 20)
	b.Chdir(root)
	var ours, peer time.Duration
	for b.Loop() {
		start := time.Now()
		naive(b, tf, mirror, dirs)
		for _, dir := range dirs {
			cmd := exec.Command(tf, "fmt", "-check", "-no-color")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("terraform fmt in %s: %v\n%s", dir, err, out)
			}
		}
		mid := time.Now()
		plumbline(b, "--provider-mirror", mirror, "envs")
		ours += time.Since(mid)
		peer += mid.Sub(start)
	}
	b.ReportMetric(peer.Seconds()/ours.Seconds(), "x-faster-than-naive-loop")
	b.ReportMetric(ours.Seconds()/float64(b.N), "plumbline-s/op")
}

// BenchmarkTerraformSyntaxOnly1000Files: the syntax and rules pass alone
// (--offline --fmt=false, no terraform run) over 1,000 .tf files; goal: under 1 s.
func BenchmarkTerraformSyntaxOnly1000Files(b *testing.B) {
	root := b.TempDir()
	for i := range 100 {
		dir := filepath.Join(root, fmt.Sprintf("m%03d", i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for j := range 10 {
			var body strings.Builder
			for k := range 5 {
				fmt.Fprintf(&body, "variable \"v%d_%d\" {\n  type        = string\n  description = \"A variable.\"\n  default     = \"x\"\n}\n\n", j, k)
				fmt.Fprintf(&body, "resource \"lab_vm\" \"r%d_%d\" {\n  name  = var.v%d_%d\n  cores = %d\n  tags  = [for t in [\"a\", \"b\"] : upper(t)]\n}\n\n", j, k, j, k, k)
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d.tf", j)), []byte(body.String()), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Chdir(root)
	for b.Loop() {
		plumbline(b, "--offline", "--fmt=false", ".")
	}
}

//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDist is the release archive as a user without Go uses it: make dist
// for the node's platform, the archive unpacked, its installer run with no
// go and no ko on PATH into a fresh namespace (import mode, the node's
// containerd), plumbline-validate run green from the imported images, its
// CLI run on the example, then uninstalled.
func TestDist(t *testing.T) {
	w := setup(t)
	in := install(t, w)
	const target = "plumbline-dist"
	dist := filepath.Join(t.TempDir(), "dist")
	cmd := exec.Command("make", "--no-print-directory", "dist", "VERSION=9.9", "DIST_PLATFORMS=linux/amd64")
	cmd.Dir = w.root
	cmd.Env = append(os.Environ(), "KO_CONFIG_PATH="+w.koDir)
	// make dist writes to build/dist; the test reads it from there.
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make dist: %v\n%s", err, out)
	}
	archive := filepath.Join(w.root, "build", "dist", "plumbline-9.9-linux-amd64.tar.gz")
	os.MkdirAll(dist, 0o755)
	run(t, dist, "tar", "-xzf", archive)
	top := filepath.Join(dist, "plumbline-9.9-linux-amd64")
	sums := run(t, filepath.Dir(archive), "sha256sum", "-c", "SHA256SUMS")
	t.Logf("SHA256SUMS: %s", sums)

	// PATH: kubectl and ctr, the shell's tools; no go, no ko.
	kubectlDir := filepath.Dir(must(exec.LookPath("kubectl")))
	ctrDir := filepath.Dir(must(exec.LookPath("ctr")))
	path := strings.Join([]string{kubectlDir, ctrDir, "/usr/sbin", "/usr/bin", "/sbin", "/bin"}, ":")
	for _, tool := range []string{"go", "ko"} {
		for _, dir := range filepath.SplitList(path) {
			if _, err := os.Stat(filepath.Join(dir, tool)); err == nil {
				t.Fatalf("%s is on the installer's PATH (%s)", tool, dir)
			}
		}
	}
	ctr := "ctr --address " + filepath.Join(w.state, "run", "containerd.sock")
	installer := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(top, "install"), append([]string{"-namespace", target, "-ctr", ctr}, args...)...)
		cmd.Dir = t.TempDir()
		cmd.Env = append(os.Environ(), "PATH="+path)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("./install %v: %v\n%s", args, err, out)
		}
		t.Logf("./install %v:\n%s", args, out)
		return string(out)
	}
	installer("install")
	images := kubectl(t, "", "get", "stepactions", "-n", target, "-o",
		`jsonpath={range .items[*]}{range .spec.params[?(@.name=="image")]}{.default}{"\n"}{end}{end}`)
	for _, img := range strings.Fields(images) {
		if !strings.HasPrefix(img, "plumbline.local/") || !strings.Contains(img, "@sha256:") {
			t.Errorf("an installed image is %q, want plumbline.local/NAME@sha256:…", img)
		}
	}
	w.validateInstalled(t, target, in.repoURL, run(t, in.repoDir, "git", "rev-parse", "main"), validateWant(true))
	// And green on a repository with nothing wrong in it.
	clean := t.TempDir()
	os.MkdirAll(filepath.Join(clean, "terraform"), 0o755)
	os.WriteFile(filepath.Join(clean, "terraform", "main.tf"), []byte("variable \"name\" {\n  type        = string\n  description = \"The VM's name.\"\n}\n\noutput \"name\" {\n  value = var.name\n}\n"), 0o644)
	os.WriteFile(filepath.Join(clean, ".plumbline.yaml"), []byte("version: 1\nterraform:\n  offline: true\npolicy:\n  enabled: false\n"), 0o644)
	bare := gitRepo(t, clean, filepath.Join(w.state, "git", "dist-clean.git"))
	green := map[string]int32{"fetch": 0, "terraform-plan": 0, "policy-check": 0, "dns-zone-diff": 0, "terraform-validate": 0, "ansible-lint-check": 0, "report": 0}
	w.validateInstalled(t, target, "git://"+w.hostIP+"/dist-clean.git", run(t, bare, "git", "rev-parse", "main"), green)

	// The CLI of the archive, on the example, as on a laptop.
	cli := exec.Command(filepath.Join(top, "bin", "plumbline"), "version")
	if b, err := cli.CombinedOutput(); err != nil || !strings.Contains(string(b), "9.9") {
		t.Errorf("bin/plumbline version: %v %s", err, b)
	}

	installer("uninstall")
	if out, err := exec.Command("kubectl", "get", "namespace", target).CombinedOutput(); err == nil {
		t.Errorf("namespace %s is still there:\n%s", target, out)
	}
}

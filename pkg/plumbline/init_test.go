package plumbline

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbline/plumbline/internal/testfs"
)

// plumbline init names the repository by its origin remote (ArgoCD and
// Flux sources point at it), without a password the remote URL carries.
func TestInitRepoURLFromOrigin(t *testing.T) {
	dir := t.TempDir()
	testfs.WriteAll(t, dir, map[string]string{"argocd/app.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\n"})
	for _, args := range [][]string{{"init", "-q"}, {"remote", "add", "origin", "https://bot:hunter2@git.home.arpa/homelab/infra.git"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if err := Init(dir, io.Discard); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, ".plumbline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if !strings.Contains(text, "  repoURLs: ['https://git.home.arpa/homelab/infra.git']\n") || strings.Contains(text, "hunter2") ||
		!strings.Contains(text, "# ArgoCD found (argocd/app.yaml)") {
		t.Errorf("config:\n%s", text)
	}
}

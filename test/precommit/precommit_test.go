package precommit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbline/plumbline/internal/gotool"
	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/internal/testfs"
)

// preCommit is one pre-commit to run the hooks with: its command, extra
// environment, and the name its config uses for the pre-push stage.
type preCommit struct {
	name     string
	cmd      []string
	env      []string
	pushName string
}

func versions(t *testing.T) []preCommit {
	var out []preCommit
	if _, err := exec.LookPath("pre-commit"); err != nil {
		need.Missing(t, "pre-commit is not installed (apt-get install pre-commit)")
	} else {
		out = append(out, preCommit{name: "debian", cmd: []string{"pre-commit"}, pushName: "push"})
	}
	newest, err := filepath.Abs("testdata/pre-commit-4.6.2")
	if err != nil {
		t.Fatal(err)
	}
	// The newest runs on Debian's Python and pre-commit's dependencies,
	// which the Debian package brings.
	out = append(out, preCommit{name: "4.6.2", cmd: []string{"/usr/bin/python3", "-m", "pre_commit"},
		env: []string{"PYTHONPATH=" + newest}, pushName: "pre-push"})
	return out
}

// hookRepository is this module as pre-commit fetches a hook repository:
// a git repository of its tracked files (the working tree's content, so
// what is tested is what is here), without the tests, benchmarks and
// example, which go install ./... does not need.
func hookRepository(t *testing.T, dir string) string {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	ls := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	ls.Dir = root
	out, err := ls.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	for _, f := range strings.Split(string(out), "\x00") {
		if f == "" || strings.HasPrefix(f, "test/") || strings.HasPrefix(f, "bench/") || strings.HasPrefix(f, "examples/") {
			continue
		}
		if fi, err := os.Lstat(filepath.Join(root, f)); err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the working tree, or a link to a build directory
		}
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		testfs.Write(t, dir, f, string(data))
	}
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "hooks")
	return strings.TrimSpace(gitOut(t, dir, "rev-parse", "HEAD"))
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	gitOut(t, dir, args...)
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), gitEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

var gitEnv = []string{"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t",
	"GIT_COMMITTER_EMAIL=t@example.org", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}

// The user's repository: a Terraform module with a hard-coded secret on
// main already, and DNS and policies off so the run is quick.
var sample = map[string]string{
	".plumbline.yaml":   "version: 1\nterraform: {offline: true}\npolicy: {enabled: false}\nansible: {enabled: false}\n",
	"terraform/main.tf": "variable \"password\" {\n  type    = string\n  default = \"hunter2hunter2\"\n}\n",
	"README.md":         "# infra\n",
}

func TestHooks(t *testing.T) {
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	if err := gotool.Build(filepath.Join(bin, "plumbline"), "github.com/plumbline/plumbline/cmd/plumbline"); err != nil {
		t.Fatal(err)
	}
	hooks := filepath.Join(tmp, "hooks")
	rev := hookRepository(t, hooks)
	gomodcache := strings.TrimSpace(string(must(gotool.Command("env", "GOMODCACHE").Output())))
	for _, pc := range versions(t) {
		t.Run(pc.name, func(t *testing.T) {
			dir := t.TempDir()
			env := append(os.Environ(), gitEnv...)
			env = append(env, pc.env...)
			env = append(env,
				"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
				"PRE_COMMIT_HOME="+filepath.Join(dir, "cache"),
				// language: golang sets GOPATH to its own environment: the
				// modules come from the cache the tests already filled.
				"GOMODCACHE="+gomodcache, "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
			run := func(repo string, args ...string) (int, string) {
				t.Helper()
				cmd := exec.Command(args[0], args[1:]...)
				cmd.Dir, cmd.Env = repo, env
				out, err := cmd.CombinedOutput()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatalf("%v: %v", args, err)
				}
				return code, string(out)
			}
			pre := func(repo string, args ...string) (int, string) {
				t.Helper()
				return run(repo, append(append([]string{}, pc.cmd...), args...)...)
			}

			origin := filepath.Join(dir, "origin.git")
			repo := filepath.Join(dir, "repo")
			testfs.WriteAll(t, repo, sample)
			testfs.Write(t, repo, ".pre-commit-config.yaml", `repos:
  - repo: `+hooks+`
    rev: `+rev+`
    hooks:
      - id: plumbline
        stages: [`+map[string]string{"push": "commit", "pre-push": "pre-commit"}[pc.pushName]+`]
      - id: plumbline-system
        stages: [manual]
      - id: plumbline-push-system
        stages: [`+pc.pushName+`]
`)
			git(t, repo, "init", "-q", "-b", "main")
			git(t, dir, "init", "-q", "--bare", "-b", "main", origin)
			git(t, repo, "remote", "add", "origin", origin)
			git(t, repo, "add", "-A")
			git(t, repo, "commit", "-qm", "base", "--no-verify")
			git(t, repo, "push", "-q", "origin", "main")

			// The hooks run (language golang builds plumbline, system uses
			// the one on PATH) and find the planted secret.
			code, out := pre(repo, "run", "--all-files")
			if code != 1 || !strings.Contains(out, "plumbline check") || !strings.Contains(out, "Failed") || !strings.Contains(out, "terraform/secret-literal") {
				t.Fatalf("run --all-files: exit %d\n%s", code, out)
			}
			if strings.Contains(out, "deprecated") {
				t.Errorf("pre-commit warns about our manifest:\n%s", out)
			}
			code, out = pre(repo, "run", "--all-files", "--hook-stage", "manual", "plumbline-system")
			if code != 1 || !strings.Contains(out, "terraform/secret-literal") {
				t.Fatalf("plumbline-system: exit %d\n%s", code, out)
			}

			// Installed, the commit hook stops a commit.
			if code, out := pre(repo, "install", "--hook-type", "pre-commit", "--hook-type", "pre-push"); code != 0 {
				t.Fatalf("install: exit %d\n%s", code, out)
			}
			testfs.Write(t, repo, "README.md", "# infra\n\nHow we run it.\n")
			git(t, repo, "add", "README.md")
			code, out = run(repo, "git", "commit", "-m", "docs")
			if code == 0 || !strings.Contains(out, "terraform/secret-literal") {
				t.Fatalf("git commit with the hook: exit %d\n%s", code, out)
			}

			// The pre-push hook: a docs-only push leaves the old finding
			// alone; a push adding a secret is stopped.
			git(t, repo, "commit", "-qm", "docs", "--no-verify")
			if code, out := run(repo, "git", "push", "origin", "main"); code != 0 {
				t.Fatalf("a docs-only push was stopped: exit %d\n%s", code, out)
			}
			testfs.Write(t, repo, "terraform/token.tf", "variable \"api_token\" {\n  type    = string\n  default = \"s3cr3t-s3cr3t\"\n}\n")
			git(t, repo, "add", "-A")
			git(t, repo, "commit", "-qm", "token", "--no-verify")
			code, out = run(repo, "git", "push", "origin", "main")
			if code == 0 || !strings.Contains(out, "terraform/token.tf") {
				t.Fatalf("a push adding a secret went through: exit %d\n%s", code, out)
			}
			if !strings.Contains(out, "(already there)") {
				t.Errorf("the old finding is not shown as already there:\n%s", out)
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

package plumbline

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/internal/testfs"
	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/report"
)

func check(t *testing.T, c *Check, dir string, args ...string) (int, *report.Report, string) {
	t.Helper()
	cmd := CheckCommand()
	cmd.Check = c
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), cmd, append([]string{"--format", "json"}, append(args, dir)...), cli.Env{Stdout: &out, Stderr: &errOut})
	r, err := report.Decode("stdout", out.Bytes())
	if err != nil {
		t.Fatalf("exit %d: %v\n%s", code, err, errOut.String())
	}
	return code, r, errOut.String()
}

// commitAll makes dir a git repository whose main holds one commit of
// everything in it.
func commitAll(t *testing.T, dir string) {
	t.Helper()
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "."}, {"commit", "-qm", "base"}} {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

func status(r *report.Report) map[string]string {
	m := map[string]string{}
	for _, p := range r.Checks {
		m[p.Tool] = string(p.Status) + ":" + p.Reason
	}
	return m
}

// TestChangedSince: a pre-push run checks only what changed against the
// ref (committed, staged, modified or new); the rest is skipped and says
// why. Real git.
func TestChangedSince(t *testing.T) {
	dir := t.TempDir()
	testfs.WriteAll(t, dir, map[string]string{
		".plumbline.yaml":   "version: 1\nterraform: {offline: true}\npolicy: {enabled: false}\n",
		"terraform/main.tf": "variable \"a\" {\n  type = string\n}\n",
		"ansible/site.yml":  "- hosts: all\n  tasks: []\n",
	})
	commitAll(t, dir)
	testfs.WriteAll(t, dir, map[string]string{"terraform/new.tf": "variable \"b\" {\n  type = string\n}\n"})

	code, r, stderr := check(t, &Check{}, dir, "--changed-since", "main")
	st := status(r)
	if code != cli.ExitPass || !strings.HasPrefix(st["terraform-validate"], "ran") ||
		st["ansible-lint-check"] != "skipped:nothing changed under ansible since main" {
		t.Errorf("exit %d, %v\n%s", code, st, stderr)
	}
	if code, _, stderr := check(t, &Check{}, dir, "--changed-since", "no-such-ref"); code != cli.ExitBroken || !strings.Contains(stderr, "usage: --changed-since no-such-ref") {
		t.Errorf("a bad ref: exit %d %s", code, stderr)
	}
}

// TestSinceMergeBase: a branch is counted from where it left main, as a
// pull request is, however far main moved on since: main's later edit of
// a line with an old finding neither fails --new-since nor makes
// --changed-since run the checks of files the branch never touched.
func TestSinceMergeBase(t *testing.T) {
	dir := t.TempDir()
	secret := func(v string) string {
		return "variable \"password\" {\n  type    = string\n  default = \"" + v + "\"\n}\n"
	}
	testfs.WriteAll(t, dir, map[string]string{
		".plumbline.yaml":   "version: 1\nterraform: {offline: true}\npolicy: {enabled: false}\n",
		"terraform/main.tf": secret("hunter2hunter2"),
		"docs/README.md":    "# infra\n",
	})
	commitAll(t, dir)
	git := func(args ...string) { t.Helper(); testfs.Git(t, dir, args...) }
	git("checkout", "-qb", "feature")
	testfs.Write(t, dir, "docs/README.md", "# infra\n\nmore words\n")
	git("commit", "-qam", "docs")
	git("checkout", "-q", "main")
	testfs.Write(t, dir, "terraform/main.tf", secret("correcthorsebattery"))
	git("commit", "-qam", "main moves on")
	git("checkout", "-q", "feature")
	none := func(string) (string, error) { return "", errors.New("not found") }

	code, r, stderr := check(t, &Check{LookPath: none}, dir, "--changed-since", "main")
	if st := status(r)["terraform-validate"]; code != cli.ExitPass || st != "skipped:nothing changed under terraform since main" {
		t.Errorf("--changed-since main: exit %d, terraform-validate %s\n%s", code, st, stderr)
	}
	code, r, stderr = check(t, &Check{LookPath: none}, dir, "--new-since", "main")
	old := 0
	for _, f := range r.Findings {
		if f.Rule == "terraform/secret-literal" && f.Existing {
			old++
		}
	}
	if code != cli.ExitPass || r.Summary.Errors != 1 || old != 1 {
		t.Errorf("--new-since main: exit %d, summary %+v, %d old secret-literal\n%s", code, r.Summary, old, stderr)
	}
}

// TestChangedSinceNarrows: terraform-validate checks only the root
// modules the change reaches, ansible-lint only the playbooks and roles
// (issue 37 section 2), with real git and the real ansible-lint.
func TestChangedSinceNarrows(t *testing.T) {
	if _, err := exec.LookPath("ansible-lint"); err != nil {
		need.Missing(t, "ansible-lint is not installed")
	}
	dir := t.TempDir()
	v := func(name string) string { return "variable \"" + name + "\" {\n  type = string\n}\n" }
	play := func(role string) string {
		return "---\n- name: Play\n  hosts: all\n  roles:\n    - " + role + "\n"
	}
	task := "---\n- ansible.builtin.command: echo x\n"
	testfs.WriteAll(t, dir, map[string]string{
		".plumbline.yaml":                 "version: 1\nterraform: {offline: true}\npolicy: {enabled: false}\n",
		"terraform/envs/a/main.tf":        v("a") + "module \"vm\" {\n  source = \"../../modules/vm\"\n  name   = var.a\n}\n",
		"terraform/envs/b/main.tf":        v("b") + "output \"b\" {\n  value = var.b\n}\n",
		"terraform/modules/vm/main.tf":    v("name") + "output \"n\" {\n  value = var.name\n}\n",
		"ansible/playbooks/a.yml":         play("ra"),
		"ansible/playbooks/b.yml":         play("rb"),
		"ansible/roles/ra/tasks/main.yml": task,
		"ansible/roles/rb/tasks/main.yml": task,
		"ansible/inventory/hosts.ini":     "[all]\nh1\n",
	})
	commitAll(t, dir)
	testfs.WriteAll(t, dir, map[string]string{
		"terraform/envs/b/main.tf":        v("b") + "output \"b\" {\n  value = lower(var.b)\n}\n",
		"ansible/roles/rb/tasks/main.yml": task + "- ansible.builtin.command: echo y\n",
	})
	_, r, stderr := check(t, &Check{}, dir, "--changed-since", "main", "--only", "terraform,ansible")
	files := map[string][]string{}
	for _, f := range r.Findings {
		if f.File != "" && !slices.Contains(files[f.Tool], f.File) {
			files[f.Tool] = append(files[f.Tool], f.File)
		}
	}
	want := map[string][]string{
		"terraform-validate": {"terraform/envs/b/main.tf"},
		"ansible-lint-check": {"ansible/roles/rb/tasks/main.yml"},
	}
	if d := cmp.Diff(want, files); d != "" {
		t.Errorf("checked (-want +got):\n%s\n%s", d, stderr)
	}
}

// TestToolMissing: without terraform, its syntax and rules still run and
// a note says what was left out; without ansible-lint, that check is
// skipped with how to install it. The rest runs.
func TestToolMissing(t *testing.T) {
	dir := t.TempDir()
	testfs.WriteAll(t, dir, map[string]string{
		"terraform/main.tf": "variable \"password\" {\n  default = \"x\"\n}\n",
		"ansible/site.yml":  "- hosts: all\n  tasks: []\n",
		".plumbline.yaml":   "version: 1\npolicy: {enabled: false}\n",
	})
	none := func(string) (string, error) { return "", errors.New("not found") }
	code, r, stderr := check(t, &Check{LookPath: none}, dir)
	st := status(r)
	if code != cli.ExitFindings || !strings.HasPrefix(st["terraform-validate"], "ran") ||
		!strings.HasPrefix(st["ansible-lint-check"], "skipped:ansible-lint is not installed here") {
		t.Errorf("exit %d, %v\n%s", code, st, stderr)
	}
	var notes, secrets int
	for _, f := range r.Findings {
		switch f.Rule {
		case RuleToolMissing:
			notes++
		case "terraform/secret-literal":
			secrets++
		}
	}
	if notes != 1 || secrets != 1 {
		t.Errorf("tool-missing notes %d, secret findings %d: %+v", notes, secrets, r.Findings)
	}
}

// TestNewSince: a finding already on the base does not fail a pre-push
// whose change did not write its line; one the change wrote does. With
// nothing changed, --changed-since passes with every check skipped.
// Real git; run from a subdirectory, the config is found upward.
func TestNewSince(t *testing.T) {
	dir := t.TempDir()
	testfs.WriteAll(t, dir, map[string]string{
		".plumbline.yaml":   "version: 1\nterraform: {offline: true}\npolicy: {enabled: false}\n",
		"terraform/main.tf": "variable \"password\" {\n  type    = string\n  default = \"hunter2hunter2\"\n}\n",
		"docs/README.md":    "# infra\n",
	})
	commitAll(t, dir)
	none := func(string) (string, error) { return "", errors.New("not found") }

	code, r, stderr := check(t, &Check{LookPath: none}, dir, "--changed-since", "main")
	if code != cli.ExitPass || r.Summary.Errors != 0 {
		t.Errorf("nothing changed: exit %d, %v\n%s", code, status(r), stderr)
	}
	for tool, st := range status(r) {
		want := "skipped:nothing changed under"
		if tool == "policy-check" {
			want = "skipped:disabled in .plumbline.yaml"
		}
		if !strings.HasPrefix(st, want) {
			t.Errorf("nothing changed: %s %s, want %s", tool, st, want)
		}
	}

	testfs.WriteAll(t, dir, map[string]string{"docs/README.md": "# infra\n\nmore words\n", "terraform/main.tf": "variable \"password\" {\n  type    = string\n  default = \"hunter2hunter2\"\n}\n\n"})
	if code, _, _ := check(t, &Check{LookPath: none}, dir); code != cli.ExitFindings {
		t.Errorf("without --new-since the old finding fails the run: exit %d", code)
	}
	code, r, stderr = check(t, &Check{LookPath: none}, dir, "--new-since", "main")
	if code != cli.ExitPass || r.Summary.Errors != 1 || r.Summary.Existing == 0 || r.NewSince != "main" {
		t.Errorf("old finding only: exit %d, summary %+v\n%s", code, r.Summary, stderr)
	}

	testfs.WriteAll(t, dir, map[string]string{"terraform/token.tf": "variable \"api_token\" {\n  type    = string\n  default = \"s3cr3t-s3cr3t\"\n}\n"})
	code, r, stderr = check(t, &Check{LookPath: none}, dir, "--new-since", "main")
	var fresh, old []string
	for _, f := range r.Findings {
		if f.Rule != "terraform/secret-literal" {
			continue
		}
		if f.Existing {
			old = append(old, f.File)
		} else {
			fresh = append(fresh, f.File)
		}
	}
	if code != cli.ExitFindings || strings.Join(fresh, ",") != "terraform/token.tf" || strings.Join(old, ",") != "terraform/main.tf" {
		t.Errorf("a new finding: exit %d, new %v, old %v\n%s", code, fresh, old, stderr)
	}
	if code, _, stderr := check(t, &Check{LookPath: none}, dir, "--new-since", "no-such-ref"); code != cli.ExitBroken || !strings.Contains(stderr, "usage: --new-since no-such-ref: git merge-base: fatal: Not a valid object name no-such-ref") {
		t.Errorf("a bad ref: exit %d %s", code, stderr)
	}

	// From a subdirectory, with no DIR: the config above is the one used,
	// and files are named from the repository's top.
	t.Chdir(dir + "/docs")
	var out, errOut bytes.Buffer
	code = cli.Main(context.Background(), CheckCommand(), []string{"--format", "json", "--new-since", "main"}, cli.Env{Stdout: &out, Stderr: &errOut})
	r, err := report.Decode("stdout", out.Bytes())
	if err != nil {
		t.Fatalf("exit %d: %v\n%s", code, err, errOut.String())
	}
	if code != cli.ExitFindings || !strings.Contains(out.String(), `"file": "terraform/token.tf"`) || status(r)["policy-check"] != "skipped:disabled in .plumbline.yaml" {
		t.Errorf("from docs/: exit %d %v\n%s", code, status(r), errOut.String())
	}
}

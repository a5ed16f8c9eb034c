package plumbline

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

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
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", ".")
	git("commit", "-qm", "base")
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

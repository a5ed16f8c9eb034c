package ansiblelint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/internal/gotool"
	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/internal/testfs"
	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/report"
)

// These tests run the real ansible-lint (Debian's 6.13 here; hack/deps.sh
// installs it). Nothing is faked.

var pkgDir string

func TestMain(m *testing.M) {
	pkgDir, _ = os.Getwd()
	os.Exit(m.Run())
}

// needLint skips (or, under make test, fails) a test without the real
// ansible-lint.
func needLint(t *testing.T) {
	t.Helper()
	if _, err := FindBinary(""); err != nil {
		need.Missing(t, "needs the real ansible-lint (apt-get install ansible-lint): %v", err)
	}
}

// run runs the check in dir (relative to this package) like the CLI would.
func run(t *testing.T, dir string, args ...string) (*report.Report, error) {
	t.Helper()
	needLint(t)
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(pkgDir, dir)
	}
	r, _, err := clitest.RunCheck(t, &Check{}, dir, args...)
	return r, err
}

type loc struct {
	Rule, File string
	Line       int
}

func locs(r *report.Report, prefix string) []loc {
	var out []loc
	for _, f := range r.Findings {
		if strings.HasPrefix(f.Rule, prefix) {
			out = append(out, loc{f.Rule, f.File, f.Line})
		}
	}
	return out
}

// rawAnsibleLint is what ansible-lint itself reports on dir.
func rawAnsibleLint(t *testing.T, dir string) []loc {
	t.Helper()
	cmd := exec.Command("ansible-lint", "-f", "codeclimate", "-q", "--offline", "--nocolor")
	// A cache of its own, as the check has: none of another run's mocks.
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir())
	cmd.Dir = dir
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == rcViolations) {
		t.Fatalf("raw ansible-lint: %v", err)
	}
	var issues []issue
	if err := json.Unmarshal(out, &issues); err != nil {
		t.Fatal(err)
	}
	var got []loc
	for _, is := range issues {
		line := is.Location.Lines.Begin
		if is.Location.Positions.Begin.Line > 0 {
			line = is.Location.Positions.Begin.Line
		}
		got = append(got, loc{"ansible-lint/" + is.CheckName, is.Location.Path, line})
	}
	return got
}

func sortLocs(ls []loc) []loc {
	slices.SortFunc(ls, func(a, b loc) int {
		return strings.Compare(fmt.Sprint(a.File, a.Line, a.Rule), fmt.Sprint(b.File, b.Line, b.Rule))
	})
	return ls
}

// TestFindingsEqualRawAnsibleLint: every finding ansible-lint reports is in
// our report with its rule, file and line; none is lost or invented.
func TestFindingsEqualRawAnsibleLint(t *testing.T) {
	r, err := run(t, "testdata/project")
	if err != nil {
		t.Fatal(err)
	}
	want := []loc{
		{"ansible-lint/fqcn[action-core]", "playbooks/site.yml", 11},
		{"ansible-lint/name[missing]", "playbooks/site.yml", 11},
		{"ansible-lint/no-changed-when", "playbooks/site.yml", 11},
		{"ansible-lint/risky-shell-pipe", "playbooks/site.yml", 13},
		{"ansible-lint/fqcn[action-core]", "playbooks/site.yml", 17},
		{"ansible-lint/yaml[truthy]", "roles/web/tasks/main.yml", 5},
	}
	got := sortLocs(locs(r, "ansible-lint/"))
	if diff := cmp.Diff(sortLocs(want), got); diff != "" {
		t.Errorf("against the fixture's known violations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(sortLocs(rawAnsibleLint(t, filepath.Join(pkgDir, "testdata/project"))), got); diff != "" {
		t.Errorf("against raw ansible-lint (-raw +ours):\n%s", diff)
	}
	if len(locs(r, "ansible/")) != 0 {
		t.Errorf("preflight found problems in a clean project: %v", locs(r, "ansible/"))
	}
	for _, f := range r.Findings {
		if f.Help == "" || f.Severity != report.Error {
			t.Errorf("%s: help %q severity %s", f.Rule, f.Help, f.Severity)
		}
	}
	if r.Details["ansible-lint"] == "" || r.Details["ansible-core"] == "" {
		t.Errorf("versions missing from details: %v", r.Details)
	}
	if r.Summary.Files != 3 {
		t.Errorf("files = %d, want 3 (2 YAML, 1 inventory)", r.Summary.Files)
	}
}

func TestWarnListBecomesWarnings(t *testing.T) {
	r, err := run(t, "testdata/project", "--warn", "yaml[truthy],risky-shell-pipe")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		want := report.Error
		if f.Rule == "ansible-lint/yaml[truthy]" || f.Rule == "ansible-lint/risky-shell-pipe" {
			want = report.Warning
		}
		if f.Severity != want {
			t.Errorf("%s: %s, want %s", f.Rule, f.Severity, want)
		}
	}
	r, err = run(t, "testdata/project", "--skip", "fqcn")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(locs(r, "ansible-lint/fqcn")); n != 0 {
		t.Errorf("--skip fqcn left %d fqcn findings", n)
	}
}

func TestPreflight(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ANSIBLE_COLLECTIONS_PATH", filepath.Join(dir, "vendored"))
	testfs.Write(t, dir, "vendored/ansible_collections/community/general/galaxy.yml", "namespace: community\n")
	testfs.Write(t, dir, "requirements.yml", "---\ncollections:\n  - community.general\n  - name: plumbline.missing\n    version: \">=1.0.0\"\nroles:\n  - geerlingguy.docker\n")
	testfs.Write(t, dir, "site.yml", "- name: Use a missing collection\n  hosts: all\n  tasks:\n    - name: Do it\n      plumbline.missing.thing:\n        a: 1\n")
	testfs.Write(t, dir, "broken.yml", "- name: ok\n  hosts: all\n  tasks: [\n")
	// PyYAML and yamllint point at line 8, where the indentation breaks;
	// yaml.v3 alone says line 4.
	testfs.Write(t, dir, "indent.yml", "---\n- name: Site\n  hosts: all\n  tasks:\n    - name: a\n      ansible.builtin.debug:\n        msg: hi\n       bad: indent\n")
	testfs.Write(t, dir, "inventory/hosts.ini", "[dns]\ndns1 ansible_host=10.0.0.1\ndns2 ansible_host\n")
	r, err := run(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []loc{
		{RuleYAML, "broken.yml", 3},
		{RuleYAML, "indent.yml", 8},
		{RuleInventory, "inventory/hosts.ini", 3},
		{RuleCollectionMissing, "requirements.yml", 4},
		{RuleRoleMissing, "requirements.yml", 7},
		// The task using it is linted with its module mocked: said once,
		// at requirements.yml, which names the collection.
	}
	if diff := cmp.Diff(want, sortLocs(locs(r, "ansible/"))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	msgs := map[string]string{}
	for _, f := range r.Findings {
		msgs[f.Rule] += f.Message + "\n"
	}
	for rule, want := range map[string]string{
		RuleCollectionMissing: "collection plumbline.missing is not installed where ansible looks",
		RuleInventory:         `expected key=value host variable after dns2, got "ansible_host"`,
		RuleYAML:              "YAML does not parse: did not find expected node content",
	} {
		if !strings.Contains(msgs[rule], want) {
			t.Errorf("%s: %q lacks %q", rule, msgs[rule], want)
		}
	}
	// ansible-lint's syntax check passes with the module mocked: no
	// cryptic failure, and the play is linted.
	for _, f := range r.Findings {
		if strings.Contains(f.Message, "couldn't resolve module/action") || strings.Contains(f.Rule, "syntax-check") {
			t.Errorf("kept ansible-lint's %s: %s", f.Rule, f.Message)
		}
		if f.Rule == RuleCollectionMissing && f.Severity != report.Warning {
			t.Errorf("%s is %v: lint goes on, so it is a warning", f.Rule, f.Severity)
		}
	}
}

// TestMissingCollectionLintsAsInstalled: a role using modules of
// collections that are not installed gets the same ansible-lint findings
// (rule, file, line) as with them installed (Debian's ansible package,
// which make deps installs, holds them), and one warning per collection
// at its first use; vendored collections are not linted as the
// repository's code.
func TestMissingCollectionLintsAsInstalled(t *testing.T) {
	dir := t.TempDir()
	testfs.Write(t, dir, "site.yml", "---\n- name: Harden\n  hosts: all\n  roles:\n    - hardening\n")
	testfs.Write(t, dir, "roles/hardening/tasks/main.yml", `---
- name: Allow ssh
  community.general.ufw:
    rule: allow
    port: "22"
- name: swappiness
  ansible.posix.sysctl:
    name: vm.swappiness
    value: "10"
- shell: echo hi
- name: Docker network
  community.docker.docker_network:
    name: lab
  when: docker_enabled == True
- name: Key
  community.crypto.openssh_keypair:
    path: /etc/ssh/lab_key
    mode: 0600
`)
	testfs.Write(t, dir, "collections/ansible_collections/acme/lab/roles/r/tasks/main.yml", "- shell: echo vendored\n")
	installed, err := run(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range installed.Findings {
		if f.Rule == RuleCollectionMissing {
			t.Fatalf("with the collections installed: %s:%d: %s (is Debian's ansible package installed? make deps)", f.File, f.Line, f.Message)
		}
	}
	t.Setenv("ANSIBLE_COLLECTIONS_SCAN_SYS_PATH", "false") // as if not installed
	missing, err := run(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := sortLocs(locs(installed, "ansible-lint/"))
	if len(want) < 5 {
		t.Fatalf("only %d findings with the collections installed: %v", len(want), want)
	}
	for _, l := range want {
		if strings.HasPrefix(l.File, "collections/") {
			t.Errorf("a vendored collection linted: %v", l)
		}
	}
	t.Logf("with the collections installed: %v", want)
	if diff := cmp.Diff(want, sortLocs(locs(missing, "ansible-lint/"))); diff != "" {
		t.Errorf("findings with the collections missing (-installed +missing):\n%s", diff)
	}
	wantMissing := []loc{
		{RuleCollectionMissing, "roles/hardening/tasks/main.yml", 12},
		{RuleCollectionMissing, "roles/hardening/tasks/main.yml", 16},
		{RuleCollectionMissing, "roles/hardening/tasks/main.yml", 3},
		{RuleCollectionMissing, "roles/hardening/tasks/main.yml", 7},
	} // sortLocs' order
	if diff := cmp.Diff(wantMissing, sortLocs(locs(missing, RuleCollectionMissing))); diff != "" {
		t.Errorf("collection-missing (-want +got):\n%s", diff)
	}
}

func TestNoAnsibleFiles(t *testing.T) {
	dir := t.TempDir()
	testfs.Write(t, dir, "README.md", "nothing here\n")
	_, err := run(t, dir)
	if err == nil || !strings.Contains(err.Error(), "no Ansible files (playbooks, roles, inventories) under .; check the path") {
		t.Fatalf("error = %v", err)
	}
}

func TestInvalidConfigIsExit2(t *testing.T) {
	dir := t.TempDir()
	testfs.Write(t, dir, "site.yml", "- name: x\n  hosts: all\n  tasks: []\n")
	testfs.Write(t, dir, "lint.yml", "profile: nonsense\n")
	_, err := run(t, dir, "--ansible-lint-config", "lint.yml")
	if err == nil || !strings.Contains(err.Error(), "ansible-lint rejected its configuration (exit 3)") || !strings.Contains(err.Error(), "'nonsense' is not one of") {
		t.Fatalf("error = %v", err)
	}
}

// TestUnwritableHome runs the built binary as an unprivileged UID whose
// HOME it cannot write (ansible-lint #4501): it must lint, not crash.
func TestUnwritableHome(t *testing.T) {
	needLint(t)
	need.Root(t, "the binary runs as another UID")
	tmp, err := os.MkdirTemp("/tmp", "ansible-home-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "ansible-lint-check")
	if err := gotool.Build(bin, "github.com/plumbline/plumbline/images/ansible-lint-check"); err != nil {
		t.Fatal(err)
	}
	project := filepath.Join(tmp, "project")
	if err := os.CopyFS(project, os.DirFS(filepath.Join(pkgDir, "testdata", "project"))); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(tmp, "home")
	if err := os.Mkdir(home, 0o700); err != nil { // root's, closed to others
		t.Fatal(err)
	}
	if err := filepath.Walk(tmp, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == home {
			return err
		}
		return os.Chmod(p, fi.Mode().Perm()|0o555)
	}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--format", "json", ".")
	cmd.Dir = project
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "TMPDIR=/tmp"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65532, Gid: 65532}}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != cli.ExitFindings {
		t.Fatalf("exit %v, want 1 (findings)\nstderr: %s", err, stderr.String())
	}
	r, err := report.Decode("stdout", stdout.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(locs(r, "ansible-lint/")); n != 6 {
		t.Errorf("%d ansible-lint findings as UID 65532, want 6", n)
	}
}

// TestHostileProjects: what a pull request can put in an Ansible project to
// leak, hang or run code through ansible-lint, each met by the real one.
func TestHostileProjects(t *testing.T) {
	mk := func(t *testing.T, files map[string]string) string {
		dir := t.TempDir()
		for name, text := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	play := "---\n- name: Site\n  hosts: all\n  tasks:\n    - name: Hello\n      ansible.builtin.debug:\n        msg: hi\n"

	t.Run("symlink to a secret", func(t *testing.T) {
		secret := filepath.Join(t.TempDir(), "token")
		os.WriteFile(secret, []byte("tK3n-secret\n"), 0o600)
		dir := mk(t, map[string]string{"site.yml": play})
		if err := os.Symlink(secret, filepath.Join(dir, "vars.yml")); err != nil {
			t.Fatal(err)
		}
		r, err := run(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		want := []loc{{RuleUnreadable, "vars.yml", 0}}
		if diff := cmp.Diff(want, locs(r, "ansible/")); diff != "" || r.Summary.Passed || r.Details["ansible-lint"] == "" {
			t.Errorf("passed %v (-want +got):\n%s", r.Summary.Passed, diff)
		}
		for _, f := range r.Findings {
			if strings.Contains(f.Message+f.Snippet, "tK3n") {
				t.Errorf("secret in %+v", f)
			}
		}
	})

	t.Run("alias bomb", func(t *testing.T) {
		bomb := "---\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
		for i := 'b'; i <= 'j'; i++ {
			bomb += fmt.Sprintf("%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
		}
		dir := mk(t, map[string]string{"site.yml": play, "group_vars/all.yml": bomb})
		start := time.Now()
		r, err := run(t, dir)
		if err == nil || !strings.Contains(err.Error(), "group_vars/all.yml: YAML past the budget of 100000 nodes") {
			t.Fatalf("error = %v, want the budget (exit 2)", err)
		}
		if took := time.Since(start); took > 60*time.Second {
			t.Errorf("took %s", took)
		}
		got := locs(r, "ansible/yaml-syntax")
		if len(got) != 1 || got[0].File != "group_vars/all.yml" || got[0].Line == 0 || r.Summary.Passed {
			t.Errorf("%+v", r.Findings)
		}
	})

	t.Run("rulesdir", func(t *testing.T) {
		marker := filepath.Join(t.TempDir(), "ran")
		dir := mk(t, map[string]string{
			"site.yml":          play,
			".ansible-lint":     "rulesdir:\n  - ./rules\nexclude_paths:\n  - excluded/\n",
			"rules/__init__.py": "",
			"rules/EvilRule.py": "open(" + strconv.Quote(marker) + ", 'w').write('ran')\nfrom ansiblelint.rules import AnsibleLintRule\n" +
				"class EvilRule(AnsibleLintRule):\n    id = 'evil'\n    shortdesc = 'evil'\n    description = 'evil'\n    tags = ['evil']\n",
			"excluded/bad.yml": "---\n- name: x\n  hosts: all\n  tasks:\n    - command: echo\n",
		})
		r, err := run(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Error("the repository's rule ran")
		}
		// exclude_paths of the same config still applies.
		want := []loc{{RuleRulesdirIgnored, ".ansible-lint", 0}}
		if diff := cmp.Diff(want, locs(r, "ansible")); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if _, err := run(t, dir, "--trust-rulesdir"); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(marker); err != nil {
			t.Error("--trust-rulesdir did not load the rules")
		}
	})
}

// TestYAMLErrorLineLikePyYAML: a YAML syntax error is reported at the line
// PyYAML (ansible's own YAML library, run here by ansible-lint's Python)
// gives as the problem's, for the mistakes people make. Where PyYAML
// points past the end of the file (an unclosed quote or bracket), we point
// at the construct left open instead.
func TestYAMLErrorLineLikePyYAML(t *testing.T) {
	needLint(t)
	bin, err := FindBinary("")
	if err != nil {
		t.Fatal(err)
	}
	interp := shebang(bin)
	if len(interp) == 0 {
		need.Missing(t, "ansible-lint is not a Python script here: no PyYAML to compare with")
	}
	for name, text := range map[string]string{
		"indentation":   "---\n- name: Site\n  hosts: all\n  tasks:\n    - name: a\n      ansible.builtin.debug:\n        msg: hi\n       bad: indent\n",
		"two colons":    "a: 1\nb: c: d\n",
		"tab":           "a:\n\t- x\n",
		"misaligned":    "- name: x\n  hosts: all\n   tasks: []\n",
		"flow sequence": "a: 1\nb: [1, 2\nc: 3\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			testfs.Write(t, dir, "site.yml", "---\n- name: ok\n  hosts: all\n  tasks: []\n")
			testfs.Write(t, dir, "bad.yml", text)
			script := "import sys, yaml\ntry:\n  yaml.safe_load(open(sys.argv[1]))\nexcept yaml.MarkedYAMLError as e:\n  print((e.problem_mark or e.context_mark).line + 1)\n"
			out, err := exec.Command(interp[0], append(interp[1:], "-c", script, filepath.Join(dir, "bad.yml"))...).Output()
			if err != nil {
				t.Fatal(err)
			}
			want, _ := strconv.Atoi(strings.TrimSpace(string(out)))
			r, err := run(t, dir)
			if err != nil {
				t.Fatal(err)
			}
			got := locs(r, RuleYAML)
			if len(got) != 1 || got[0].Line != want {
				t.Errorf("ours %v, PyYAML line %d", got, want)
			}
		})
	}
}

// TestModuleLackingFromInstalled: a module the installed collection lacks
// (docker_compose_v2 came in community.docker 3.6; Debian's is 3.4) is not
// mocked, which would hide the installed collection's other modules: the
// syntax check's failure at it is said as what it is.
func TestModuleLackingFromInstalled(t *testing.T) {
	dir := t.TempDir()
	testfs.Write(t, dir, "site.yml", `---
- name: Compose
  hosts: all
  tasks:
    - name: Info
      community.docker.docker_host_info: {}
    - name: Up
      community.docker.docker_compose_v2:
        project_src: /opt/lab
`)
	r, err := run(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, fmt.Sprintf("%s %s:%d %s", f.Rule, f.File, f.Line, f.Message))
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], RuleCollectionMissing+" site.yml:") ||
		!strings.Contains(got[0], "community.docker.docker_compose_v2 is not a module of community.docker 3.") {
		t.Errorf("findings:\n%s\n%v", strings.Join(got, "\n"), r.Details)
	}
}

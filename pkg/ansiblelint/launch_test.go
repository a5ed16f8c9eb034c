package ansiblelint

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/testfs"
)

// TestLauncherAsScript: ansible-lint through launch.py says what its own
// script says, byte for byte, with the same exit code: on clean and
// failing projects, on one whose ansible.cfg ansible-config cannot read
// (the prefetched dump fails, and ansible-compat runs it and fails as it
// would), on one holding Python modules named like ansible-lint's and
// ansible's, which none may import from the working directory, and on one
// whose config mocks a module. With an ansible command that is not
// ansible-core's own script (a shim), the launcher runs the two Ansible
// commands once each, as the script does, but started together; with
// ansible-core's script, it reads the version ansible --version would say
// from ansible.release (its trace says so) once the dump has succeeded,
// and else leaves the command to ansible-compat. Told the playbooks, the
// launcher starts their syntax checks early and each runs once:
// ansible-lint takes the early one's output (the trace says so); not when
// a module is mocked (the early check ran without the mock), where
// ansible-lint runs its own.
func TestLauncherAsScript(t *testing.T) {
	needLint(t)
	bin, _ := FindBinary("")
	calls, trace := filepath.Join(t.TempDir(), "calls"), filepath.Join(t.TempDir(), "trace")
	// Shims first on PATH that log the calls of the real commands; in the
	// second directory, ansible itself (a link to it).
	shimmed, itself := t.TempDir(), t.TempDir()
	for _, name := range []string{"ansible", "ansible-config", "ansible-playbook", "git"} {
		real, err := exec.LookPath(name)
		if err != nil {
			t.Fatal(err)
		}
		shim := "#!/bin/sh\necho \"$(date +%s%N) " + name + " $*\" >>" + calls + "\nexec " + real + " \"$@\"\n"
		for _, dir := range []string{shimmed, itself} {
			if dir == itself && name == "ansible" {
				if err := os.Symlink(real, filepath.Join(dir, name)); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(shim), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	badCfg, shadow, mocked := t.TempDir(), t.TempDir(), t.TempDir()
	testfs.WriteAll(t, badCfg, map[string]string{
		"ansible.cfg":     "not an ini file\n[defaults\n",
		"playbooks/p.yml": "- hosts: all\n  tasks:\n    - ansible.builtin.debug: msg=hi\n",
	})
	// Imported from here, ansible's modules would leave a mark.
	mark := "import pathlib\npathlib.Path(__file__).resolve().parent.parent.joinpath('imported').write_text('x')\nraise SystemExit('imported from the repository')\n"
	testfs.WriteAll(t, shadow, map[string]string{
		"ansiblelint.py":             "raise SystemExit('imported from the repository')\n",
		"ansible_compat/__init__.py": "raise SystemExit('imported from the repository')\n",
		"ansible/__init__.py":        mark,
		"ansible/release.py":         mark,
		"playbooks/p.yml":            "- hosts: all\n  tasks:\n    - shell: echo hi\n",
	})
	testfs.WriteAll(t, mocked, map[string]string{
		".ansible-lint":   "mock_modules:\n  - example.missing.thing\n",
		"playbooks/p.yml": "- name: Play\n  hosts: all\n  tasks:\n    - name: Thing\n      example.missing.thing:\n        x: 1\n",
	})
	release := ansibleRelease(t, bin)
	for _, shims := range []string{shimmed, itself} {
		for _, dir := range []string{filepath.Join(pkgDir, "testdata/project"), filepath.Join(pkgDir, "../../examples/homelab/ansible"), badCfg, shadow, mocked} {
			name := filepath.Base(dir)
			if shims == itself {
				name = "ansible itself/" + name
			}
			t.Run(name, func(t *testing.T) {
				launcherAsScript(t, bin, dir, shims, calls, trace, dir == mocked, dir == badCfg, shims == itself, release)
			})
		}
	}
}

// ansibleRelease is the version of ansible.release that ansible-lint's
// interpreter imports.
func ansibleRelease(t *testing.T, bin string) string {
	t.Helper()
	interp := shebang(bin)
	if len(interp) == 0 {
		t.Skip("ansible-lint is not a Python script")
	}
	out, err := exec.Command(interp[0], append(interp[1:], "-c", "import ansible.release; print(ansible.release.__version__)")...).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func launcherAsScript(t *testing.T, bin, dir, shims, calls, trace string, mocked, badCfg, itself bool, release string) {
	books, _ := filepath.Glob(filepath.Join(dir, "playbooks", "*.yml"))
	for i, b := range books {
		books[i] = "playbooks/" + filepath.Base(b)
	}
	var results [3]Result
	var logged, traced [3]string
	for i, job := range []struct {
		script bool
		books  []string
	}{{true, nil}, {false, nil}, {false, books}} {
		os.Remove(calls)
		os.Remove(trace)
		// Ansible's temporary directory under a name that reads as a
		// number before a keyword (its random part may): ansible-compat's
		// literal_eval of the config dump says a SyntaxWarning wherever
		// ansible-lint does not keep it quiet. Not in t.TempDir(), whose
		// "/001" stops the literal before it.
		root, err := os.MkdirTemp("", "plumblinelocal")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(root) })
		localTemp := filepath.Join(root, "7in")
		if err := os.Mkdir(localTemp, 0o755); err != nil {
			t.Fatal(err)
		}
		env := append(os.Environ(), "PATH="+shims+string(os.PathListSeparator)+os.Getenv("PATH"), "XDG_CACHE_HOME="+t.TempDir(),
			"ANSIBLE_LOCAL_TEMP="+localTemp)
		if !job.script {
			env = append(env, "PLUMBLINE_LAUNCH_TRACE="+trace)
		}
		res, err := (&Exec{Bin: bin, Script: job.script}).Lint(context.Background(), Job{Dir: dir, Env: env, Playbooks: job.books,
			Args: []string{"-f", "codeclimate", "-q", "--nocolor", "--offline"}})
		if err != nil {
			t.Fatal(err)
		}
		results[i] = res
		b, _ := os.ReadFile(calls)
		logged[i] = string(b)
		b, _ = os.ReadFile(trace)
		traced[i] = string(b)
	}
	// A traceback names the script or the launcher as its entry.
	entry := regexp.MustCompile(`  File "[^"]*(ansible-lint|launch\.py)", line \d+, in <module>\n    [^\n]*\n`)
	norm := func(b []byte) string { return entry.ReplaceAllString(string(b), "  File <entry>\n") }
	// The launcher says the versions the check would otherwise ask for.
	lint, core, err := (&Exec{Bin: bin}).Versions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i, res := range results {
		want := [2]string{lint, core}
		if i == 0 {
			want = [2]string{} // the script says none
		}
		if got := [2]string{res.Lint, res.Core}; got != want {
			t.Errorf("run %d: versions %q, want %q", i, got, want)
		}
	}
	script := results[0]
	for i, launched := range results[1:] {
		if script.Code != launched.Code || string(script.Stdout) != string(launched.Stdout) {
			t.Errorf("exit %d, stdout:\n%s\nthrough the launcher (%d playbooks named): exit %d, stdout:\n%s", script.Code, script.Stdout, i*len(books), launched.Code, launched.Stdout)
		}
		if diff := cmp.Diff(norm(script.Stderr), norm(launched.Stderr)); diff != "" {
			t.Errorf("stderr (-script +launcher, %d playbooks named):\n%s", i*len(books), diff)
		}
		if strings.Contains(string(launched.Stderr), "imported from the repository") {
			t.Errorf("a module of the working directory was imported:\n%s", launched.Stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "imported")); err == nil {
		t.Error("a module of the working directory was imported")
	}
	counted := func(i int, names ...string) []string { return sortedLines(only(logged[i], names...)) }
	// Each once, as the script runs them; the launcher may have started
	// them when the script fails before it asks. With ansible itself, the
	// version comes from ansible.release once the dump succeeded.
	want := []string{"ansible --version", "ansible-config dump"}
	if itself {
		want = []string{"ansible-config dump"}
	}
	for i := range 3 {
		ran := counted(i, "ansible", "ansible-config")
		if i == 0 && len(ran) == 0 {
			continue
		}
		if !slices.Equal(ran, want) {
			t.Errorf("run %d: Ansible commands run %q; want each once", i, ran)
		}
		if i == 0 {
			continue
		}
		read := slices.Contains(sortedTrace(traced[i]), "ansible --version: ansible.release "+release)
		if wantRead := itself && !badCfg; read != wantRead {
			t.Errorf("run %d: the version read from ansible.release: %v, want %v (trace %q)", i, read, wantRead, traced[i])
		}
	}
	// The script runs one after the other ends; the launcher starts both
	// at once.
	if !itself && len(counted(0, "ansible", "ansible-config")) == 2 {
		if s, l := apart(t, only(logged[0], "ansible", "ansible-config")), apart(t, only(logged[1], "ansible", "ansible-config")); l >= s {
			t.Errorf("the launcher started the two commands %s apart, the script %s: nothing was started early", l, s)
		} else {
			t.Logf("the two commands started %s apart by the script, %s through the launcher", s, l)
		}
	}
	// The syntax checks: as the script runs them, each once; where a
	// module is mocked, one more: the early one, not used.
	checks := counted(0, "ansible-playbook")
	if got := counted(1, "ansible-playbook"); !slices.Equal(got, checks) {
		t.Errorf("syntax checks through the launcher %q, by the script %q", got, checks)
	}
	got, wantChecks := counted(2, "ansible-playbook"), checks
	if mocked {
		wantChecks = slices.Sorted(slices.Values(append(slices.Clone(checks), checks...)))
	}
	if !slices.Equal(got, wantChecks) {
		t.Errorf("syntax checks through the launcher told the playbooks %q, want %q", got, wantChecks)
	}
	// The launcher says which early checks ansible-lint took: every one
	// it ran, but where a module is mocked.
	var wantTrace []string
	for _, c := range checks {
		if mocked {
			wantTrace = append(wantTrace, "not used "+c)
		} else {
			wantTrace = append(wantTrace, "used "+c)
		}
	}
	early := slices.DeleteFunc(sortedTrace(traced[2]), func(l string) bool { return strings.HasPrefix(l, "ansible --version") })
	if d := cmp.Diff(wantTrace, early); d != "" {
		t.Errorf("early syntax checks (-want +got):\n%s", d)
	}
}

// sortedTrace are the lines of the launcher's trace, sorted.
func sortedTrace(s string) []string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	slices.Sort(lines)
	return lines
}

// only are the lines of a calls log of the named commands.
func only(log string, names ...string) string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		_, rest, _ := strings.Cut(l, " ")
		if name, _, _ := strings.Cut(rest, " "); slices.Contains(names, name) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// sortedLines are the commands a calls log holds ("NANOS name args"),
// without their times, sorted.
func sortedLines(s string) []string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if _, cmd, ok := strings.Cut(l, " "); ok {
			lines = append(lines, cmd)
		}
	}
	slices.Sort(lines)
	return lines
}

// apart is how long after the first command of a calls log the second
// started.
func apart(t *testing.T, s string) time.Duration {
	t.Helper()
	var at []int64
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		ns, _, _ := strings.Cut(l, " ")
		n, err := strconv.ParseInt(ns, 10, 64)
		if err != nil {
			t.Fatalf("calls log %q: %v", s, err)
		}
		at = append(at, n)
	}
	if len(at) != 2 {
		t.Fatalf("calls log %q: want two commands", s)
	}
	return time.Duration(max(at[0], at[1]) - min(at[0], at[1]))
}

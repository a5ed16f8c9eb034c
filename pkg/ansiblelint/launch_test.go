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
// script says, byte for byte, with the same exit code, and runs each of
// the Ansible commands it prefetches once, as the script does: on clean
// and failing projects, on one whose ansible.cfg ansible-config cannot
// read (the prefetched dump fails, and ansible-compat runs it and fails
// as it would), and on one holding Python modules named like
// ansible-lint's, which neither may import from the working directory.
func TestLauncherAsScript(t *testing.T) {
	needLint(t)
	bin, _ := FindBinary("")
	// Shims first on PATH that count the calls of the real commands.
	shims, calls := t.TempDir(), filepath.Join(t.TempDir(), "calls")
	for _, name := range []string{"ansible", "ansible-config"} {
		real, err := exec.LookPath(name)
		if err != nil {
			t.Fatal(err)
		}
		shim := "#!/bin/sh\necho \"$(date +%s%N) " + name + " $*\" >>" + calls + "\nexec " + real + " \"$@\"\n"
		if err := os.WriteFile(filepath.Join(shims, name), []byte(shim), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	badCfg, shadow := t.TempDir(), t.TempDir()
	testfs.WriteAll(t, badCfg, map[string]string{
		"ansible.cfg":     "not an ini file\n[defaults\n",
		"playbooks/p.yml": "- hosts: all\n  tasks:\n    - ansible.builtin.debug: msg=hi\n",
	})
	testfs.WriteAll(t, shadow, map[string]string{
		"ansiblelint.py":             "raise SystemExit('imported from the repository')\n",
		"ansible_compat/__init__.py": "raise SystemExit('imported from the repository')\n",
		"playbooks/p.yml":            "- hosts: all\n  tasks:\n    - shell: echo hi\n",
	})
	for _, dir := range []string{filepath.Join(pkgDir, "testdata/project"), filepath.Join(pkgDir, "../../examples/homelab/ansible"), badCfg, shadow} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var results [2]Result
			var counted [2]string
			for i, script := range []bool{true, false} {
				os.Remove(calls)
				env := append(os.Environ(), "PATH="+shims+string(os.PathListSeparator)+os.Getenv("PATH"), "XDG_CACHE_HOME="+t.TempDir())
				res, err := (&Exec{Bin: bin, Script: script}).Lint(context.Background(), dir, []string{"-f", "codeclimate", "-q", "--nocolor", "--offline"}, env)
				if err != nil {
					t.Fatal(err)
				}
				results[i] = res
				b, _ := os.ReadFile(calls)
				counted[i] = string(b)
			}
			script, launched := results[0], results[1]
			if script.Code != launched.Code || string(script.Stdout) != string(launched.Stdout) {
				t.Errorf("exit %d, stdout:\n%s\nthrough the launcher: exit %d, stdout:\n%s", script.Code, script.Stdout, launched.Code, launched.Stdout)
			}
			// A traceback names the script or the launcher as its entry.
			entry := regexp.MustCompile(`  File "[^"]*(ansible-lint|launch\.py)", line \d+, in <module>\n    [^\n]*\n`)
			norm := func(b []byte) string { return entry.ReplaceAllString(string(b), "  File <entry>\n") }
			if diff := cmp.Diff(norm(script.Stderr), norm(launched.Stderr)); diff != "" {
				t.Errorf("stderr (-script +launcher):\n%s", diff)
			}
			// Each once, as the script runs them; the launcher may have
			// started them when the script fails before it asks.
			ran, want := sortedLines(counted[1]), []string{"ansible --version", "ansible-config dump"}
			if script := sortedLines(counted[0]); len(script) > 0 && !slices.Equal(script, want) || !slices.Equal(ran, want) {
				t.Errorf("Ansible commands run: by the script %q, through the launcher %q; want each once", script, ran)
			}
			// The script runs one after the other ends; the launcher
			// starts both at once.
			if len(sortedLines(counted[0])) == 2 {
				if s, l := apart(t, counted[0]), apart(t, counted[1]); l >= s {
					t.Errorf("the launcher started the two commands %s apart, the script %s: nothing was started early", l, s)
				} else {
					t.Logf("the two commands started %s apart by the script, %s through the launcher", s, l)
				}
			}
			if strings.Contains(string(launched.Stderr), "imported from the repository") {
				t.Errorf("a module of the working directory was imported:\n%s", launched.Stderr)
			}
		})
	}
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

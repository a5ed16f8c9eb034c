package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/pkg/policy/parser"
	"github.com/plumbline/plumbline/pkg/report"
)

// conftest is the real conftest (v0.71.1), installed by `make tools` into
// build/tools; PLUMBLINE_CONFTEST overrides. These tests compare against it
// and fail, never skip, without it.
func conftest(t *testing.T) string {
	t.Helper()
	return need.Tool(t, "conftest", "v0.71.1")
}

type tally struct{ Failures, Warnings, Exceptions int }

// runConftest runs `conftest test` and tallies its JSON output per file.
func runConftest(t *testing.T, bin, dir string, args ...string) (map[string]tally, bool) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"test", "--output", "json", "--no-color"}, args...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	failed := false
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee) && ee.ExitCode() == 1:
		failed = true
	case err != nil:
		t.Fatalf("conftest %v: %v\n%s", args, err, stderr.String())
	}
	var results []struct {
		Filename   string `json:"filename"`
		Failures   []any  `json:"failures"`
		Warnings   []any  `json:"warnings"`
		Exceptions []any  `json:"exceptions"`
	}
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("conftest output: %v\n%s", err, out)
	}
	got := map[string]tally{}
	for _, r := range results {
		c := got[r.Filename]
		c.Failures += len(r.Failures)
		c.Warnings += len(r.Warnings)
		c.Exceptions += len(r.Exceptions)
		if c != (tally{}) {
			got[r.Filename] = c
		}
	}
	return got, failed
}

// tallyReport counts our findings the way conftest counts results.
func tallyReport(r *report.Report) map[string]tally {
	got := map[string]tally{}
	for _, f := range r.Findings {
		if strings.HasPrefix(f.Rule, "policy/") {
			continue
		}
		c := got[f.File]
		switch {
		case f.Severity == report.Error:
			c.Failures++
		case f.Severity == report.Warning:
			c.Warnings++
		case strings.HasPrefix(f.Message, "excepted by"):
			c.Exceptions++
		}
		got[f.File] = c
	}
	return got
}

func total(m map[string]tally) tally {
	var t tally
	for _, c := range m {
		t.Failures += c.Failures
		t.Warnings += c.Warnings
		t.Exceptions += c.Exceptions
	}
	return t
}

// TestConftestDecisions runs the same policies and inputs through conftest
// and policy-check and wants the same failures, warnings and exceptions per
// file, and the same verdict, for every rule form, namespaces, data,
// exceptions, --combine, --ignore, --parser and Rego v0.
func TestConftestDecisions(t *testing.T) {
	bin := conftest(t)
	dir, _ := filepath.Abs("testdata/compat")
	pd := []string{"-p", "policy", "-d", "data"}
	for _, tc := range []struct {
		name     string
		args     []string
		combined bool
	}{
		{name: "default namespace", args: append(pd, "inputs")},
		{name: "all namespaces", args: append([]string{"--all-namespaces"}, append(pd, "inputs")...)},
		{name: "namespace glob", args: append([]string{"--namespace", "kubernetes.*"}, append(pd, "inputs")...)},
		{name: "two namespaces", args: append([]string{"-n", "main", "-n", "terraform"}, append(pd, "inputs")...)},
		{name: "ignore", args: append([]string{"--all-namespaces", "--ignore", `\.tf$|tfvars|k8s`}, append(pd, "inputs")...)},
		{name: "files as arguments", args: append(pd, "inputs/k8s/apps.yaml", "inputs/tf/main.tf", "inputs/misc/app.ini")},
		{name: "parser flag", args: append([]string{"--parser", "yaml"}, append(pd, "inputs/k8s/web-service.yaml")...)},
		{name: "rego v0", args: []string{"--rego-version", "v0", "-p", "policy-v0", "inputs/k8s"}},
		{name: "combine", args: append([]string{"--combine", "-n", "combined"}, append(pd, "inputs/k8s")...), combined: true},
		{name: "passing input", args: append(pd, "inputs/k8s/scratch-pod.yaml", "-n", "kubernetes.security")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, wantFailed := runConftest(t, bin, dir, tc.args...)
			// conftest reads files as written and knows no schema: the
			// same inputs, and only the policies' findings (no secret scan).
			args := append([]string{"--schema=false", "--kustomize=off", "--secrets=false", "--addresses=false", "--tekton=false"}, ourOrder(tc.args)...)
			r, _, err := clitest.RunCheck(t, &Check{}, dir, args...)
			if err != nil {
				t.Fatal(err)
			}
			got := tallyReport(r)
			if tc.combined {
				want, got = map[string]tally{"": total(want)}, map[string]tally{"": total(got)}
			}
			for f, c := range got {
				if c == (tally{}) {
					delete(got, f)
				}
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("per-file counts differ (-conftest +policy-check):\n%s", d)
			}
			if failed := r.Summary.Errors > 0; failed != wantFailed {
				t.Errorf("failed = %v, conftest says %v", failed, wantFailed)
			}
			t.Logf("conftest and policy-check: %+v over %d files, failed=%v", total(want), len(want), wantFailed)
		})
	}
}

// ourOrder puts flags before paths: Go's flag package, which RunCheck
// uses, stops at the first path (the CLI itself takes them anywhere).
func ourOrder(args []string) []string {
	var flags, paths []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasPrefix(a, "-") && (a == "--all-namespaces" || a == "--combine"):
			flags = append(flags, a)
		case strings.HasPrefix(a, "-"):
			flags = append(flags, a, args[i+1])
			i++
		default:
			paths = append(paths, a)
		}
	}
	return append(flags, paths...)
}

// TestConftestParse compares every parser conftest also has with
// `conftest parse` on the same files: the documents policies see must be
// the same.
func TestConftestParse(t *testing.T) {
	bin := conftest(t)
	var files []string
	filepath.WalkDir("testdata/compat/inputs", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			out, err := exec.Command(bin, "parse", f).Output()
			if err != nil {
				t.Fatalf("conftest parse %s: %v", f, err)
			}
			var want any
			if err := json.Unmarshal(out, &want); err != nil {
				t.Fatal(err)
			}
			name, ok := parser.ForPath(f)
			if !ok {
				t.Fatalf("no parser for %s", f)
			}
			p, _ := parser.New(name)
			data, _ := os.ReadFile(f)
			in, err := p.Parse(f, data)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(in.Value)
			var got any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("%s parsed differently (-conftest +ours):\n%s", f, d)
			}
		})
	}
}

// TestConftestBuiltins: a policy library that calls conftest's own
// built-ins (parse_config, parse_config_file, parse_combined_config_files),
// in its rules and in its unit tests, gets conftest's decisions and test
// results from policy-check.
func TestConftestBuiltins(t *testing.T) {
	bin := conftest(t)
	dir, _ := filepath.Abs("testdata/builtins")
	want, wantFailed := runConftest(t, bin, dir, "-p", "policy", "inputs")
	r, _, err := clitest.RunCheck(t, &Check{}, dir, "-p", "policy", "inputs")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, tallyReport(r)); d != "" || (r.Summary.Errors > 0) != wantFailed {
		t.Errorf("decisions differ (-conftest +policy-check):\n%s", d)
	}
	// conftest verify passes every test; so must verify.
	out, err := exec.Command(bin, "verify", "--no-color", "-p", filepath.Join(dir, "policy")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "5 tests, 5 passed") {
		t.Fatalf("conftest verify: %v\n%s", err, out)
	}
	v, _, err := clitest.RunCheck(t, &Verify{}, dir, "-p", "policy")
	if err != nil || v.Counts["tests"] != 5 || v.Counts["passed"] != 5 {
		t.Errorf("verify: %v, counts %v, findings %v", err, v.Counts, v.Findings)
	}
}

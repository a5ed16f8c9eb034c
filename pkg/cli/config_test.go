package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/testfs"
	"github.com/plumbline/plumbline/pkg/report"
)

// layout is a check double whose default paths are a repository part,
// with one flag the config can set.
type layout struct {
	check
	jobs int
}

func (l *layout) Flags(fs *flag.FlagSet) { fs.IntVar(&l.jobs, "jobs", 1, "") }
func (l *layout) DefaultPaths() []string { return []string{"terraform"} }

func runIn(t *testing.T, dir string, c Check, args ...string) (int, *report.Report, string) {
	t.Helper()
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	args = append([]string{"--format", "json"}, args...)
	code := Main(context.Background(), Command{Name: "terraform-validate", Check: c}, args, Env{Stdout: &out, Stderr: &errOut})
	r, err := report.Decode("stdout", out.Bytes())
	if err != nil {
		t.Fatalf("exit %d, stdout not a report: %v\n%s\n%s", code, err, out.String(), errOut.String())
	}
	return code, r, errOut.String()
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	testfs.WriteAll(t, dir, files)
	return dir
}

// TestConfigPrecedence: a flag given > .plumbline.yaml > the default, and
// an empty flag value (a Task's empty param) counts as not given.
func TestConfigPrecedence(t *testing.T) {
	warning := []report.Finding{{Rule: "r", Severity: report.Warning, Message: "m"}}
	cfg := "version: 1\nfailOn: warning\nterraform:\n  paths: [infra]\n  jobs: 3\n"
	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		jobs      int
		paths     []string
		defaulted bool
	}{
		{"config", nil, ExitFindings, 3, []string{"infra"}, false},
		{"flags win", []string{"--fail-on", "error", "--jobs", "5", "other"}, ExitPass, 5, []string{"other"}, false},
		{"empty flags are not given", []string{"--fail-on=", "--jobs", "", "--", ""}, ExitFindings, 3, []string{"infra"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{".plumbline.yaml": cfg, "infra/main.tf": "", "other/main.tf": ""})
			l := &layout{check: check{findings: warning}}
			code, _, stderr := runIn(t, dir, l, tc.args...)
			if code != tc.code || l.jobs != tc.jobs || !cmp.Equal(l.got.Paths, tc.paths) || l.got.Defaulted != tc.defaulted {
				t.Errorf("exit %d jobs %d paths %v defaulted %v; want %d %d %v %v\n%s", code, l.jobs, l.got.Paths, l.got.Defaulted, tc.code, tc.jobs, tc.paths, tc.defaulted, stderr)
			}
		})
	}
}

// TestSkipped: a part that is not there, a disabled check and a check that
// finds nothing where it looked by default are skipped: a passing report
// that says why, exit 0. A path named explicitly that is missing is not.
func TestSkipped(t *testing.T) {
	for _, tc := range []struct {
		name   string
		files  map[string]string
		check  *layout
		args   []string
		reason string
	}{
		{"default path absent", nil, &layout{}, nil, "no terraform here (the default; name a PATH, or paths in .plumbline.yaml)"},
		{"disabled", map[string]string{".plumbline.yaml": "version: 1\nterraform:\n  enabled: false\n", "terraform/main.tf": ""}, &layout{}, nil, "disabled in .plumbline.yaml"},
		{"nothing found by default", map[string]string{"terraform/README": ""}, &layout{check: check{err: Skipf("no Terraform root modules under terraform")}}, nil, "no Terraform root modules under terraform"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			code, r, stderr := runIn(t, dir, tc.check, tc.args...)
			if code != ExitPass || r.Skipped != tc.reason || !r.Summary.Passed || len(r.Findings) != 0 {
				t.Errorf("exit %d skipped %q passed %v findings %v\n%s", code, r.Skipped, r.Summary.Passed, r.Findings, stderr)
			}
		})
	}
	// Named explicitly, the same absence is the user's mistake: the check
	// runs, and says so (the double reports what it was given).
	l := &layout{}
	code, r, _ := runIn(t, writeFiles(t, nil), l, "terraform")
	if code != ExitPass || r.Skipped != "" || l.got.Defaulted || !cmp.Equal(l.got.Paths, []string{"terraform"}) {
		t.Errorf("explicit path: exit %d skipped %q request %+v", code, r.Skipped, l.got)
	}
}

// TestBadConfig: exit 2 and a report whose error findings are at the
// config's lines; nothing runs.
func TestBadConfig(t *testing.T) {
	dir := writeFiles(t, map[string]string{".plumbline.yaml": "version: 1\nterraform:\n  jobs: many\n  path: x\n"})
	l := &layout{}
	code, r, stderr := runIn(t, dir, l)
	var got []string
	for _, f := range r.Findings {
		got = append(got, fmt.Sprintf("%s:%d:%d %s", f.File, f.Line, f.Column, f.Rule))
	}
	want := []string{".plumbline.yaml:3:9 terraform-validate/incomplete", ".plumbline.yaml:4:3 terraform-validate/incomplete"}
	if code != ExitBroken || l.got.Paths != nil || !cmp.Equal(got, want) || !strings.Contains(stderr, `unknown key "path"`) {
		t.Errorf("exit %d, ran %v, findings %v\n%s", code, l.got.Paths != nil, got, stderr)
	}
	// A value the flag itself refuses is placed at the config's line too.
	dir = writeFiles(t, map[string]string{".plumbline.yaml": "version: 1\nterraform:\n  jobs: 99999999999999999999\n"})
	code, r, _ = runIn(t, dir, &layout{})
	if code != ExitBroken || len(r.Findings) != 1 || r.Findings[0].Line != 3 {
		t.Errorf("exit %d findings %+v", code, r.Findings)
	}
	// --config naming a file that is not there is a usage error.
	if code, _, stderr := runIn(t, t.TempDir(), &layout{}, "--config", "nope.yaml"); code != ExitBroken || !strings.Contains(stderr, "usage: --config") {
		t.Errorf("missing --config: exit %d %s", code, stderr)
	}
}

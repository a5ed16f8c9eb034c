package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/plumbline/plumbline/pkg/report"
)

// check is a test double of a check: the contract's logic is what is
// tested here; real checks are tested against real tools in their packages.
type check struct {
	findings []report.Finding
	err      error
	noReport bool
	noTool   bool // leave Report.Tool for Main to fill in
	got      Request
}

func (c *check) Flags(*flag.FlagSet) {}

func (c *check) Run(_ context.Context, req Request) (*report.Report, error) {
	c.got = req
	if c.noReport {
		return nil, c.err
	}
	r := &report.Report{Tool: "t", Findings: c.findings}
	if c.noTool {
		r.Tool = ""
	}
	return r, c.err
}

func run(t *testing.T, c *check, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Main(context.Background(), Command{Name: "t", Check: c}, args, Env{Stdout: &out, Stderr: &errOut})
	return code, out.String(), errOut.String()
}

func TestExitCodes(t *testing.T) {
	warning := []report.Finding{{Rule: "r", Severity: report.Warning, Message: "m"}}
	errorF := []report.Finding{{Rule: "r", Severity: report.Error, Message: "m"}}
	tests := []struct {
		name  string
		check check
		args  []string
		want  int
	}{
		{"clean", check{}, nil, ExitPass},
		{"warning under default threshold", check{findings: warning}, nil, ExitPass},
		{"warning with --fail-on warning", check{findings: warning}, []string{"--fail-on", "warning"}, ExitFindings},
		{"error", check{findings: errorF}, nil, ExitFindings},
		{"error with --fail-on never", check{findings: errorF}, []string{"--fail-on=never"}, ExitPass},
		{"tool failure beats findings", check{findings: errorF, err: errors.New("terraform crashed")}, nil, ExitBroken},
		{"tool failure without report", check{noReport: true, err: errors.New("boom")}, nil, ExitBroken},
		{"no report and no error", check{noReport: true}, nil, ExitBroken},
		{"bad flag", check{}, []string{"--nope"}, ExitBroken},
		{"bad threshold", check{}, []string{"--fail-on", "notes"}, ExitBroken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, &tt.check, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.want, stderr)
			}
			if code == ExitBroken && (!strings.HasPrefix(stderr, "t: ") || strings.Count(stderr, "\n") != 1) {
				t.Errorf("stderr %q: want one line starting with the tool name", stderr)
			}
		})
	}
}

func TestPaths(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{nil, []string{"."}},
		{[]string{"a", "--format", "json", "b"}, []string{"a", "b"}},
		{[]string{"--fail-on=never", "a"}, []string{"a"}},
		{[]string{"a", "--", "--format", "-x"}, []string{"a", "--format", "-x"}},
	}
	for _, tt := range tests {
		c := &check{}
		if code, _, stderr := run(t, c, tt.args...); code != ExitPass {
			t.Fatalf("%q: exit %d: %s", tt.args, code, stderr)
		}
		if diff := cmp.Diff(tt.want, c.got.Paths); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.args, diff)
		}
	}
}

// A check that fails part-way still gets its findings written: nothing lost.
func TestPartialReportIsWritten(t *testing.T) {
	dir := t.TempDir()
	c := &check{findings: []report.Finding{{Rule: "r", Severity: report.Error, Message: "m"}}, err: errors.Join(errors.New("module a: crashed"), errors.New("module b: crashed"))}
	code, _, stderr := run(t, c, "--report", "json="+filepath.Join(dir, "sub", "r.json"), "--results-dir", filepath.Join(dir, "res"))
	if code != ExitBroken {
		t.Fatalf("exit %d, want 2", code)
	}
	if want := "t: module a: crashed\nt: module b: crashed\n"; stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
	data, err := os.ReadFile(filepath.Join(dir, "sub", "r.json"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Decode("r.json", data)
	if err != nil || len(r.Findings) != 3 || r.Summary.Passed {
		t.Fatalf("report not written intact: %v %+v", err, r)
	}
	// What stopped the check is in the report, as errors: never a PASS.
	want := []report.Finding{
		{Rule: "r", Severity: report.Error, Message: "m"},
		{Rule: "t/incomplete", Severity: report.Error, Message: "the check could not finish: module a: crashed"},
		{Rule: "t/incomplete", Severity: report.Error, Message: "the check could not finish: module b: crashed"},
	}
	if diff := cmp.Diff(want, r.Findings); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	status, _ := os.ReadFile(filepath.Join(dir, "res", "status"))
	if string(status) != "fail" {
		t.Errorf("status result %q, want fail", status)
	}
}

// A check that gave up with no finding at all still fails its report; the
// run id is stamped on it; a positioned error keeps its place.
func TestIncompleteNeverPasses(t *testing.T) {
	dir := t.TempDir()
	c := &check{err: &report.InputError{File: "main.tf", Line: 3, Column: 1, Msg: "nesting deeper than 64"}}
	code, _, _ := run(t, c, "--report-dir", dir, "--run-id", "uid-1")
	if code != ExitBroken {
		t.Fatalf("exit %d, want 2", code)
	}
	r := readReport(t, filepath.Join(dir, "t.json"))
	want := []report.Finding{{Rule: "t/incomplete", Severity: report.Error, File: "main.tf", Line: 3, Column: 1,
		Message: "the check could not finish: main.tf:3:1: nesting deeper than 64"}}
	if diff := cmp.Diff(want, r.Findings); diff != "" || r.Summary.Passed || r.Run != "uid-1" {
		t.Errorf("passed %v, run %q (-want +got):\n%s", r.Summary.Passed, r.Run, diff)
	}
}

func readReport(t *testing.T, file string) *report.Report {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Decode(file, data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// More findings than a report holds: the most severe are kept, and an
// error says how many were left out.
func TestFindingsBudget(t *testing.T) {
	var fs []report.Finding
	for i := range report.MaxFindings + 5 {
		sev := report.Note
		if i == report.MaxFindings+4 {
			sev = report.Error
		}
		fs = append(fs, report.Finding{Rule: "r", Severity: sev, Message: "m"})
	}
	dir := t.TempDir()
	code, _, _ := run(t, &check{findings: fs}, "--report-dir", dir)
	r := readReport(t, filepath.Join(dir, "t.json"))
	if code != ExitBroken || len(r.Findings) != report.MaxFindings || r.Summary.Errors != 2 {
		t.Fatalf("exit %d, %d findings, %d errors", code, len(r.Findings), r.Summary.Errors)
	}
	var last report.Finding
	for _, f := range r.Findings {
		if f.Rule == "t/incomplete" {
			last = f
		}
	}
	if last.Message != "6 more findings not listed: a report holds at most 10000 (docs/security.md)" {
		t.Errorf("budget finding %+v", last)
	}
}

func TestReportFileNotPartial(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "r.json")
	if err := os.WriteFile(target, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A directory where the report should go: the write fails cleanly.
	code, _, stderr := run(t, &check{}, "--report", "json="+filepath.Join(target, "x.json"))
	if code != ExitBroken || !strings.Contains(stderr, "write ") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if b, _ := os.ReadFile(target); string(b) != "previous" {
		t.Errorf("existing file changed to %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestList(t *testing.T) {
	var l List
	for _, v := range []string{"a,b", "", " c ", ",,d,"} {
		if err := l.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(List{"a", "b", "c", "d"}, l); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestSubcommands: "t sub ARGS" runs the subcommand's check under the same
// contract; its report file and default tool name join with a dash.
func TestSubcommands(t *testing.T) {
	parent := &check{}
	sub := &check{findings: []report.Finding{{Rule: "r", Severity: report.Error, Message: "m"}}, noTool: true}
	cmd := Command{Name: "t", Check: parent, Subcommands: []Command{{Name: "sub", Synopsis: "[DIR]", Summary: "does sub", Check: sub}}}
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), cmd, []string{"sub", "--report-dir", dir, "x"}, Env{Stdout: &out, Stderr: &errOut})
	if code != ExitFindings || parent.got.Paths != nil || !slices.Equal(sub.got.Paths, []string{"x"}) {
		t.Fatalf("exit %d, parent %v, sub %v", code, parent.got, sub.got)
	}
	data, err := os.ReadFile(filepath.Join(dir, "t-sub.json"))
	if err != nil || !strings.Contains(string(data), `"tool": "t-sub"`) {
		t.Errorf("report %s: %v", data, err)
	}
	out.Reset()
	Main(context.Background(), cmd, []string{"--help"}, Env{Stdout: &out, Stderr: &errOut})
	if !strings.Contains(out.String(), "commands:\n  t sub [DIR]\n      does sub\n") {
		t.Errorf("help does not list the subcommand:\n%s", out.String())
	}
}

func TestSoftMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	files := func(m map[string]string) func(string) ([]byte, error) {
		return func(f string) ([]byte, error) {
			if v, ok := m[f]; ok {
				return []byte(v), nil
			}
			return nil, os.ErrNotExist
		}
	}
	noenv := func(string) string { return "" }
	for _, tt := range []struct {
		name  string
		env   func(string) string
		files map[string]string
		want  int64
	}{
		{"cgroup v2", noenv, map[string]string{"/sys/fs/cgroup/memory.max": "268435456\n"}, 201326592},
		{"cgroup v2 unlimited", noenv, map[string]string{"/sys/fs/cgroup/memory.max": "max\n"}, 0},
		{"cgroup v1", noenv, map[string]string{"/sys/fs/cgroup/memory/memory.limit_in_bytes": "1073741824\n"}, 805306368},
		{"cgroup v1 unlimited", noenv, map[string]string{"/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n"}, 0},
		{"GOMEMLIMIT wins", func(string) string { return "100MiB" }, map[string]string{"/sys/fs/cgroup/memory.max": "268435456"}, 0},
		{"no cgroup", noenv, nil, 0},
	} {
		if got := softMemoryLimit(tt.env, files(tt.files)); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

// Names from the checked repository reach stderr escaped, one line each.
func TestStderrEscaped(t *testing.T) {
	c := &progressCheck{}
	var out, errOut bytes.Buffer
	Main(context.Background(), Command{Name: "t", Check: c}, nil, Env{Stdout: &out, Stderr: &errOut})
	want := "t: envs/\\x1b[2Jprod: 1 finding\nt: module \\x1b]0;x\\a\\nfake: broke\n"
	if errOut.String() != want {
		t.Errorf("stderr %q, want %q", errOut.String(), want)
	}
}

type progressCheck struct{}

func (*progressCheck) Flags(*flag.FlagSet) {}

func (*progressCheck) Run(_ context.Context, req Request) (*report.Report, error) {
	fmt.Fprintf(req.Progress, "t: envs/\x1b[2Jprod: 1 finding\n")
	return &report.Report{Tool: "t"}, errors.New("module \x1b]0;x\a\nfake: broke")
}

// A check that stopped before it had a report still leaves one, and the
// Tekton results, saying why.
func TestNoReportStillReports(t *testing.T) {
	dir := t.TempDir()
	code, _, _ := run(t, &check{noReport: true, err: Usagef("--desired and --live are both required")},
		"--report-dir", dir, "--results-dir", filepath.Join(dir, "res"))
	r := readReport(t, filepath.Join(dir, "t.json"))
	want := []report.Finding{{Rule: "t/incomplete", Severity: report.Error,
		Message: "the check could not finish: usage: --desired and --live are both required"}}
	if diff := cmp.Diff(want, r.Findings); diff != "" || code != ExitBroken || r.Summary.Passed {
		t.Errorf("exit %d (-want +got):\n%s", code, diff)
	}
	if status, _ := os.ReadFile(filepath.Join(dir, "res", "status")); string(status) != "fail" {
		t.Errorf("status result %q", status)
	}
}

// A check run on a path outside the working directory still writes paths
// relative to that path: report refuses none of its findings.
func TestRelativePaths(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "dns"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := &check{findings: []report.Finding{
		{Rule: "r", Severity: report.Note, Message: "m", File: filepath.Join(root, "dns", "home.arpa.zone"), Line: 3},
		{Rule: "r", Severity: report.Note, Message: "m", File: "already/relative.tf"},
	}}
	out := t.TempDir()
	if code, _, stderr := run(t, c, "--report-dir", out, root); code != ExitPass {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r := readReport(t, filepath.Join(out, "t.json"))
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.File)
	}
	if diff := cmp.Diff([]string{"already/relative.tf", "dns/home.arpa.zone"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestUsagef: a usage error says so once, keeps what it wraps, and is one
// type a caller can ask for.
func TestUsagef(t *testing.T) {
	inner := os.ErrNotExist
	err := fmt.Errorf("load: %w", Usagef("--waivers: %w", inner))
	var ue *UsageError
	if !errors.As(err, &ue) || !errors.Is(err, inner) || err.Error() != "load: usage: --waivers: file does not exist" {
		t.Errorf("%v: As %v, Is %v", err, errors.As(err, &ue), errors.Is(err, inner))
	}
}

// A StepAction names each step result's file; the report's digest is of
// the bytes the --report-dir file holds, and a count the report lacks is 0.
func TestStepResults(t *testing.T) {
	dir := t.TempDir()
	res := filepath.Join(dir, "step", "results")
	c := &check{findings: []report.Finding{{Rule: "r", Severity: report.Error, Message: "m"}}}
	args := []string{"--report-dir", filepath.Join(dir, "reports")}
	for _, name := range []string{"errors", "status", "report-sha256", "drift"} {
		args = append(args, "--result", name+"="+filepath.Join(res, name))
	}
	if code, _, stderr := run(t, c, args...); code != ExitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "reports", "t.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := map[string]string{"errors": "1", "status": "fail", "report-sha256": hex.EncodeToString(sum[:]), "drift": "0"}
	got := map[string]string{}
	entries, _ := os.ReadDir(res)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(res, e.Name()))
		got[e.Name()] = string(b)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("step results (-want +got):\n%s", diff)
	}

	for _, bad := range [][]string{
		{"--result", "Not A Name=" + filepath.Join(res, "x")},
		{"--result", "errors="},
		{"--result", "report-sha256=" + filepath.Join(res, "d")}, // no --report-dir to digest
	} {
		if code, _, stderr := run(t, &check{}, bad...); code != ExitBroken || !strings.Contains(stderr, "usage") {
			t.Errorf("%q: exit %d, stderr %q; want a usage error", bad, code, stderr)
		}
	}
}

// --chdir comes first: the config, the paths and the report directory are
// all read relative to it, as terraform -chdir.
func TestChdir(t *testing.T) {
	dir := writeFiles(t, map[string]string{".plumbline.yaml": "version: 1\nfailOn: warning\n", "repo/x": ""})
	os.Rename(filepath.Join(dir, ".plumbline.yaml"), filepath.Join(dir, "repo", ".plumbline.yaml"))
	c := &check{findings: []report.Finding{{Rule: "r", Severity: report.Warning, Message: "m"}}}
	code, _, stderr := run(t, c, "--chdir", filepath.Join(dir, "repo"), "--report-dir", "out", "--", ".")
	if code != ExitFindings {
		t.Errorf("exit %d (the config's failOn: warning was not read from the --chdir directory): %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "repo", "out", "t.json")); err != nil {
		t.Errorf("the report is not relative to --chdir: %v", err)
	}
	if code, _, stderr := run(t, &check{}, "--chdir", filepath.Join(dir, "nope")); code != ExitBroken || !strings.Contains(stderr, "usage: --chdir") {
		t.Errorf("a missing --chdir directory: exit %d, %q", code, stderr)
	}
}

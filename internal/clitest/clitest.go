// Package clitest holds what the checks' tests share: txtar scripts run with
// testscript plus the commands every Plumbline CLI test needs, and running a
// check in-process the way the CLI does.
package clitest

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/report"
)

// Run runs the scripts in dir. Scripts call the binary by name, as
// registered with testscript.Main in the test's TestMain.
func Run(t *testing.T, dir string) {
	testscript.Run(t, testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"exits": exits, "result": result},
	})
}

// exits N PROG ARGS... runs PROG and fails unless it exits with N, and
// unless stderr is free of Go panics: the exit code is our contract.
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
	if s := ts.ReadFile("stderr"); strings.Contains(s, "goroutine ") || strings.Contains(s, "panic:") {
		ts.Fatalf("%s printed a stack trace", args[1])
	}
}

// result FILE VALUE checks a Tekton result file byte for byte: txtar files
// end in a newline, result files must not.
func result(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: result FILE VALUE")
	}
	got := ts.ReadFile(args[0])
	if (got == args[1]) == neg {
		ts.Fatalf("result %s = %q, want %q", args[0], got, args[1])
	}
}

// RunCheck parses args with c's own flags, as the CLI would, changes into
// dir for the test, runs c and finalizes its report under --fail-on error.
// Progress lines are returned for assertions.
func RunCheck(t *testing.T, c cli.Check, dir string, args ...string) (*report.Report, string, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	c.Flags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	paths := fs.Args()
	if len(paths) == 0 {
		paths = []string{"."}
	}
	t.Chdir(dir)
	var progress bytes.Buffer
	r, err := c.Run(context.Background(), cli.Request{Paths: paths, FailOn: report.Threshold(report.Error), Progress: &progress})
	if r != nil {
		cli.Finish(r, err, report.Threshold(report.Error), paths)
	}
	return r, progress.String(), err
}

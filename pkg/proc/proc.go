package proc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"
)

// WaitDelay is how long Wait waits for the output pipes after the group
// was killed (a grandchild that escaped the group may hold them).
const WaitDelay = 2 * time.Second

// MaxOutput bounds what is kept of a tool's stdout and of its stderr.
const MaxOutput = 32 << 20

// Command is exec.CommandContext whose cancellation kills the process
// group, not only the process.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	setGroup(cmd)
	cmd.WaitDelay = WaitDelay
	return cmd
}

// Result is one finished run.
type Result struct {
	Stdout, Stderr []byte
	// Code is the exit code; -1 when the process did not exit by itself.
	Code int
}

// Run runs cmd (from Command) with its output captured up to MaxOutput
// each. An exit status other than 0 is not an error: Code says it. The
// error is ctx's when the run was cut short, so callers can say "timed
// out" rather than "killed".
func Run(ctx context.Context, cmd *exec.Cmd) (Result, error) {
	stdout, stderr := &buffer{max: MaxOutput}, &buffer{max: MaxOutput}
	if cmd.Stdout == nil {
		cmd.Stdout = stdout
	}
	cmd.Stderr = stderr
	err := start(cmd)
	if err == nil {
		err = cmd.Wait()
		// Whatever the tool left running in its group (a provider plugin,
		// a forked helper) ends with it, and with Contain also what it
		// detached from the group.
		killGroup(cmd.Process.Pid)
		finished(cmd)
	}
	res := Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), Code: -1}
	if cmd.ProcessState != nil {
		res.Code = cmd.ProcessState.ExitCode()
	}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.Exited() {
		err = nil
	}
	if err == nil && (stdout.overflow || stderr.overflow) {
		err = fmt.Errorf("%s wrote more than %d bytes of output (budget)", cmd.Path, MaxOutput)
	}
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil // the tool exited; a grandchild kept a pipe open and was killed
	}
	return res, err
}

// buffer keeps the first max bytes written to it and drops the rest,
// noting that it did: a tool's output never grows without bound.
type buffer struct {
	max      int
	overflow bool
	buf      bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); len(p) > room {
		b.overflow = true
		b.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.buf.Write(p)
}

// Bytes returns what was kept.
func (b *buffer) Bytes() []byte { return b.buf.Bytes() }

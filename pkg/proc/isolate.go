package proc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"golang.org/x/sys/unix"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
)

// An isolated function is code of ours that runs what a pull request
// wrote and cannot itself be stopped half way: a Helm chart's templates
// (Go templates loop and allocate as they please, and nothing cancels
// one). It runs in a fresh copy of this binary, whose address space the
// kernel bounds and which is killed when its time is up, so a template
// bomb costs the one chart, never the check.

const (
	interpreterEnv = "PLUMBLINE_ISOLATE_INTERPRETER"
	isolatedEnv    = "PLUMBLINE_ISOLATED"
	memoryEnv      = "PLUMBLINE_ISOLATED_MEMORY"
)

var isolated = struct {
	sync.Mutex
	funcs map[string]func(in []byte, out io.Writer) error
}{funcs: map[string]func([]byte, io.Writer) error{}}

// Register names f so Isolate can run it in a child; a package registers
// its functions in init, and every binary that may run them calls Serve
// first thing in main (and TestMain).
func Register(name string, f func(in []byte, out io.Writer) error) {
	isolated.Lock()
	defer isolated.Unlock()
	isolated.funcs[name] = f
}

// Limits bound one isolated run.
type Limits struct {
	Memory  int64         // bytes of data segment (RLIMIT_DATA: the heap as committed)
	Timeout time.Duration // wall clock
	Output  int           // bytes of output
}

// LimitError is an isolated run stopped by one of its limits.
type LimitError struct {
	What  string // "memory", "time" or "output"
	Limit string // the limit, as a person reads it
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("stopped: it needed more %s than its budget of %s", e.What, e.Limit)
}

// Serve runs the isolated function this process was started for, if it
// was started by Isolate, and says so; the caller exits with code.
func Serve() (code int, served bool) {
	name := os.Getenv(isolatedEnv)
	if name == "" {
		return 0, false
	}
	isolated.Lock()
	f := isolated.funcs[name]
	isolated.Unlock()
	if f == nil {
		fmt.Fprintf(os.Stderr, "no isolated function %q in this binary\n", name)
		return 2, true
	}
	if n, err := strconv.ParseInt(os.Getenv(memoryEnv), 10, 64); err == nil && n > 0 {
		// The collector works hard before the hard limit, so a heavy but
		// honest render gets through.
		debug.SetMemoryLimit(n / 2)
		if err := unix.Setrlimit(unix.RLIMIT_DATA, &unix.Rlimit{Cur: uint64(n), Max: uint64(n)}); err != nil {
			fmt.Fprintf(os.Stderr, "setrlimit: %v\n", err)
			return 2, true
		}
	}
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "read request: %v\n", err)
		return 2, true
	}
	if _, err := os.Stdout.WriteString(servedMark); err != nil {
		return 2, true
	}
	if err := f(in, os.Stdout); err != nil {
		fmt.Fprint(os.Stderr, err.Error())
		return 3, true
	}
	return 0, true
}

// servedMark starts a child's output: a binary that never called Serve (a
// test binary without it in TestMain) is told apart from a broken child.
const servedMark = "plumbline-isolated\n"

// Executable is the binary Isolate starts: this one, unless a test says
// otherwise.
var Executable = os.Executable

// FuncError is what the isolated function itself returned.
type FuncError struct{ Msg string }

func (e *FuncError) Error() string { return e.Msg }

// Isolate runs the function registered as name in a child copy of this
// binary, with in on its standard input, and returns its output. The
// child's environment is empty but for what names the function: what the
// parent holds (tokens, keys) never reaches the code it runs.
func Isolate(ctx context.Context, name string, in []byte, lim Limits) ([]byte, error) {
	exe, err := Executable()
	if err != nil {
		return nil, fmt.Errorf("isolate %s: %w", name, err)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	// A test binary that does not Serve runs no tests, should it be
	// started by mistake; Serve ignores its arguments. Under emulation
	// (an arm64 image run by qemu-user on amd64, test/images) the copy is
	// started through the emulator too.
	args := []string{exe, "-test.run=^$"}
	if via := os.Getenv(interpreterEnv); via != "" {
		args = append([]string{via}, args...)
	}
	cmd := Command(ctx, args[0], args[1:]...)
	cmd.Env = []string{isolatedEnv + "=" + name, memoryEnv + "=" + strconv.FormatInt(lim.Memory, 10),
		"GOMAXPROCS=1", "GOTRACEBACK=none"}
	cmd.Stdin = strings.NewReader(string(in))
	out := &buffer{max: lim.Output + 1}
	cmd.Stdout = out
	res, err := Run(ctx, cmd)
	switch {
	case errors.Is(err, context.DeadlineExceeded) && parent.Err() == nil:
		return nil, &LimitError{What: "time", Limit: lim.Timeout.String()}
	case err != nil:
		return nil, err
	}
	if len(out.Bytes()) > lim.Output {
		return nil, &LimitError{What: "output", Limit: mib(int64(lim.Output))}
	}
	stderr := strings.TrimSpace(string(res.Stderr))
	got, ok := bytes.CutPrefix(out.Bytes(), []byte(servedMark))
	switch {
	case !ok && (res.Code == 0 || res.Code == 3):
		return nil, fmt.Errorf("isolate %s: %s does not serve isolated functions (its main, or TestMain, must call proc.Serve first)", name, exe)
	case res.Code == 0:
		return got, nil
	case res.Code == 3:
		return nil, &FuncError{Msg: stderr}
	case strings.Contains(stderr, "out of memory") || strings.Contains(stderr, "cannot allocate memory") ||
		strings.Contains(stderr, "failed to create new OS thread"):
		return nil, &LimitError{What: "memory", Limit: mib(lim.Memory)}
	case strings.Contains(stderr, "goroutine stack exceeds"):
		return nil, &LimitError{What: "stack", Limit: "1 GiB"}
	case res.Code == -1:
		// Killed, and not by us: the container's OOM killer takes the
		// largest process.
		return nil, fmt.Errorf("isolated %s was killed (the container's memory limit?)", name)
	}
	if i := strings.IndexByte(stderr, '\n'); i > 0 {
		stderr = stderr[:i]
	}
	return nil, fmt.Errorf("isolated %s exited %d: %s", name, res.Code, stderr)
}

func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

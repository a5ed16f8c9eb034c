package proc

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// A timeout ends the tool and what it started, at once: the child here
// forks a grandchild that keeps the output pipe open, as a provider
// plugin of terraform does.
func TestTimeoutKillsTheGroup(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	// A duration no other process uses, so pgrep finds only these.
	cmd := Command(ctx, "sh", "-c", "sleep 60.0417 & echo started; sleep 60.0417")
	res, err := Run(ctx, cmd)
	if took := time.Since(start); took > WaitDelay+2*time.Second {
		t.Errorf("took %s after a 300ms timeout", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the deadline", err)
	}
	if !strings.Contains(string(res.Stdout), "started") {
		t.Errorf("stdout %q: output before the timeout is kept", res.Stdout)
	}
	// SIGKILL is delivered at once, but a loaded machine may take a moment
	// to take the processes down: give it a second, not a minute.
	var out []byte
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if out, _ = exec.Command("pgrep", "-f", "^sleep 60.0417$").Output(); len(out) == 0 {
			break
		}
	}
	if len(out) > 0 {
		t.Errorf("sleep survived the timeout: pids %s", out)
	}
}

func TestExitCodeIsNoError(t *testing.T) {
	res, err := Run(context.Background(), Command(context.Background(), "sh", "-c", "echo out; echo err >&2; exit 3"))
	if err != nil || res.Code != 3 || string(res.Stdout) != "out\n" || string(res.Stderr) != "err\n" {
		t.Errorf("%+v, %v", res, err)
	}
}

// Output past the budget is dropped and said, never kept in memory.
func TestOutputBudget(t *testing.T) {
	res, err := Run(context.Background(), Command(context.Background(), "sh", "-c", "head -c 40000000 /dev/zero"))
	if err == nil || !strings.Contains(err.Error(), "more than 33554432 bytes of output") || len(res.Stdout) != MaxOutput {
		t.Errorf("%d bytes kept, err %v", len(res.Stdout), err)
	}
}

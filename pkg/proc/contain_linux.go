package proc

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// contained is the process-wide state Contain turns on: the pids of the
// tools Run started and has not waited for yet. Any other child of this
// process is a stray the subreaper took in.
var contained struct {
	sync.Mutex
	on   bool
	live map[int]bool
}

// Contain makes this process (a check binary, in a step of its own) hold
// on to what the tools it runs leave behind, and keep its own secrets:
//   - a child subreaper: a helper a provider or plugin detaches (setsid,
//     a double fork) is re-parented here instead of to init, and Run kills
//     it after its tool ends, so nothing the repository started can still
//     write (a report, a step result) once the check has written its own;
//   - not dumpable: /proc/PID/environ and /proc/PID/mem of this process
//     are closed to the tools it runs (same user, no CAP_SYS_PTRACE), so
//     terraform's file("/proc/${ppid}/environ") reads nothing.
//
// Every child of a contained process must be started by Run.
func Contain() error {
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl PR_SET_DUMPABLE: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl PR_SET_CHILD_SUBREAPER: %w", err)
	}
	contained.Lock()
	contained.on = true
	contained.live = map[int]bool{}
	contained.Unlock()
	return nil
}

// start starts cmd, registered as live when contained, so that a stray
// search made meanwhile never takes it for one.
func start(cmd *exec.Cmd) error {
	contained.Lock()
	defer contained.Unlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	if contained.on {
		contained.live[cmd.Process.Pid] = true
	}
	return nil
}

// finished forgets cmd and kills every stray: a child of this process
// that Run did not start (or whose tool is done), and what it started in
// turn, which the kernel hands here as each parent dies.
func finished(cmd *exec.Cmd) {
	contained.Lock()
	defer contained.Unlock()
	if !contained.on {
		return
	}
	delete(contained.live, cmd.Process.Pid)
	self := os.Getpid()
	for range 64 {
		strays := 0
		for _, pid := range children(self) {
			if contained.live[pid] {
				continue
			}
			strays++
			_ = syscall.Kill(pid, syscall.SIGKILL)
			var ws syscall.WaitStatus
			_, _ = syscall.Wait4(pid, &ws, 0, nil)
		}
		if strays == 0 {
			return
		}
	}
}

// children lists the pids whose parent is ppid, from /proc.
func children(ppid int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := bytes.Fields(stat[i+1:])
		if len(f) >= 2 {
			if p, err := strconv.Atoi(string(f[1])); err == nil && p == ppid {
				out = append(out, pid)
			}
		}
	}
	return out
}

package proc

import (
	"os/exec"
	"syscall"
)

// setGroup puts cmd in a process group of its own, killed when the check
// dies (Pdeathsig) and on cancellation.
func setGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

func killGroup(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }

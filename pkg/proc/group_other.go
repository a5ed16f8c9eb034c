//go:build !linux

package proc

import "os/exec"

// Elsewhere only the process itself is killed; the images are Linux.
func setGroup(*exec.Cmd) {}

func killGroup(int) {}

//go:build !linux

package proc

import "os/exec"

// Elsewhere only the process itself is killed; the images are Linux.
func setGroup(*exec.Cmd) {}

func killGroup(int) {}

// Contain does nothing outside Linux: the images are Linux.
func Contain() error { return nil }

func start(cmd *exec.Cmd) error { return cmd.Start() }

func finished(*exec.Cmd) {}

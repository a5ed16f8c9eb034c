// Package gotool runs the go command for tests and benchmarks that need a
// real binary (a test provider, an image binary run as another UID).
package gotool

import (
	"fmt"
	"os"
	"os/exec"
)

// Command returns a go command with args. It takes go from PATH (go test
// put it there), as runtime.GOROOT is deprecated for finding it.
func Command(args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	return cmd
}

// Build builds pkg into out as a static binary.
func Build(out, pkg string) error {
	if b, err := Command("build", "-o", out, pkg).CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

// Command ansible-lint-check runs the real ansible-lint so that it works in
// a pipeline: a preflight for broken YAML, missing collections and bad
// inventories, offline by default, findings in Plumbline's report.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/plumbline/plumbline/pkg/ansiblelint"
	"github.com/plumbline/plumbline/pkg/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, cli.Command{
		Name:     ansiblelint.Tool,
		Synopsis: "[PATH ...]",
		Summary:  "Lint the Ansible project at each PATH with ansible-lint, after a preflight of YAML, requirements and inventories.",
		Check:    &ansiblelint.Check{},
	}, os.Args[1:], cli.OSEnv())
	stop()
	os.Exit(code)
}

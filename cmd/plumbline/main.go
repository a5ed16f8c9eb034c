// Command plumbline runs Plumbline's checks on a repository from a laptop
// or a pre-commit hook: plumbline check, init and rules (docs/plumbline.md).
//
//	go install github.com/plumbline/plumbline/cmd/plumbline@latest
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/plumbline"
	"github.com/plumbline/plumbline/pkg/proc"
)

func main() {
	if code, ok := proc.Serve(); ok { // a chart rendered in a child
		os.Exit(code)
	}
	cli.LimitMemory()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := plumbline.Main(ctx, os.Args[1:], cli.OSEnv())
	stop()
	os.Exit(code)
}

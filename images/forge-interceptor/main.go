// Command forge-interceptor is a Tekton Triggers ClusterInterceptor for
// Gitea and Forgejo webhooks: it verifies their signature, filters event
// types and lists the files a push changed.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/intercept"
)

func main() {
	// The Go runtime's soft limit at 3/4 of the container's (its 256 Mi).
	cli.LimitMemory()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := intercept.Run(ctx, os.Args[1:], os.Stderr, nil)
	stop()
	os.Exit(code)
}

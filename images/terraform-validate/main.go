// Command terraform-validate checks every Terraform root module under the
// given paths: syntax, static rules, terraform fmt, and terraform init and
// validate, offline from a provider mirror.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/terraform"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, cli.Command{
		Name:     terraform.Tool,
		Synopsis: "[PATH ...]",
		Summary:  "Check every Terraform root module under PATH: syntax, rules, fmt, init and validate.",
		Check:    &terraform.Check{},
	}, os.Args[1:], cli.OSEnv())
	stop()
	os.Exit(code)
}

// Command terraform-validate checks every Terraform root module under the
// given paths: syntax, static rules, terraform fmt, and terraform init and
// validate, offline from a provider mirror. `terraform-validate
// terraform-plan` plans them against their state (trusted runs only).
package main

import (
	"os"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/terraform"
)

func main() {
	os.Exit(cli.Execute(terraform.Command(), terraform.PlanCommand()))
}

// Command policy-check evaluates Rego policies against configuration files
// with embedded OPA, conftest-compatible, with a finding per rule and line.
package main

import (
	"os"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/policy"
)

func main() {
	os.Exit(cli.Execute(cli.Command{
		Name:     "policy-check",
		Synopsis: "[PATH ...]",
		Summary:  "Evaluate Rego policies (conftest's deny/violation/warn/exception rules) against configuration files.",
		Check:    &policy.Check{},
		Subcommands: []cli.Command{{
			Name:     "verify",
			Synopsis: "[POLICY-DIR ...]",
			Summary:  "Run the policies' Rego unit tests (test_ rules), like conftest verify.",
			Check:    &policy.Verify{},
		}},
	}))
}

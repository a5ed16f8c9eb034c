// Command policy-check evaluates Rego policies against configuration files
// with embedded OPA, conftest-compatible, with a finding per rule and line.
package main

import (
	"os"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/policy"
)

func main() {
	os.Exit(cli.Execute(policy.Command()))
}

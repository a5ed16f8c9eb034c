// Command ansible-lint-check runs the real ansible-lint so that it works in
// a pipeline: a preflight for broken YAML, missing collections and bad
// inventories, offline by default, findings in Plumbline's report.
package main

import (
	"os"

	"github.com/plumbline/plumbline/pkg/ansiblelint"
	"github.com/plumbline/plumbline/pkg/cli"
)

func main() {
	os.Exit(cli.Execute(ansiblelint.Command()))
}

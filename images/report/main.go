// Command report merges the JSON reports of Plumbline's checks into one
// summary, writes it in every format a pipeline needs, and sets the Tekton
// results of the whole run.
package main

import (
	"os"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/merge"
)

func main() {
	os.Exit(cli.Execute(merge.Command()))
}

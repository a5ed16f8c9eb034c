// Command report merges the JSON reports of Plumbline's checks into one
// summary, writes it in every format a pipeline needs, and sets the Tekton
// results of the whole run. `report schedule` starts a scheduled run (the
// drift CronJob's pod).
package main

import (
	"os"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/merge"
	"github.com/plumbline/plumbline/pkg/schedule"
)

func main() {
	os.Exit(cli.Execute(merge.Command(), schedule.Command()))
}

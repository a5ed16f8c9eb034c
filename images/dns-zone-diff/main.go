// Command dns-zone-diff shows what a DNS change will do before it is made:
// desired records from Git against the live server, as a plan, with safety
// rules that stop a change wiping out half a zone. It never writes to a server.
package main

import (
	"os"
	"runtime/debug"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/dnszone"
)

func main() {
	// Two whole zones are held at once: collecting at 50% growth, not
	// 100%, cuts peak memory by a tenth to a sixth on bench/'s zones for
	// a few percent of time (GOGC still overrides it).
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	os.Exit(cli.Execute(dnszone.Command()))
}

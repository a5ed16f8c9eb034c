// Command dns-zone-diff shows what a DNS change will do before it is made:
// desired records from Git against the live server, as a plan, with safety
// rules that stop a change wiping out half a zone. It never writes to a server.
package main

import (
	"os"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/dnszone"
)

func main() {
	os.Exit(cli.Execute(dnszone.Command()))
}

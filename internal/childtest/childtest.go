// Package childtest is the TestMain of a package whose tests render Helm
// charts: the test binary is also the child a chart renders in
// (pkg/proc's Isolate starts a copy of the running binary).
package childtest

import (
	"os"
	"testing"

	"github.com/plumbline/plumbline/pkg/proc"
)

// Main serves the isolated function this process was started for, if it
// was, else runs the tests.
func Main(m *testing.M) {
	if code, ok := proc.Serve(); ok {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

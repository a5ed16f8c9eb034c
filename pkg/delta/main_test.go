package delta

import (
	"os"
	"testing"

	"github.com/plumbline/plumbline/pkg/proc"
)

// TestMain lets this test binary be the child a chart is rendered in.
func TestMain(m *testing.M) {
	if code, ok := proc.Serve(); ok {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

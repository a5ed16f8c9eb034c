package delta

import (
	"testing"

	"github.com/plumbline/plumbline/internal/childtest"
)

// TestMain lets this test binary be the child a chart renders in.
func TestMain(m *testing.M) { childtest.Main(m) }

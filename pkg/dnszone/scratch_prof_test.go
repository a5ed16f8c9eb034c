package dnszone

import (
	"testing"

	"github.com/plumbline/plumbline/internal/clitest"
)

func TestScratchProf(t *testing.T) {
	for range 5 {
		clitest.RunCheck(t, &Check{}, "/tmp/dz", "--live", "live/big.test.zone", "--desired", "desired/big.test.zone", "--max-update-percent", "100", "--max-delete-percent", "100", ".")
	}
}

package main

import (
	"testing"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"terraform-validate": main})
}

// The scripts run the real terraform on PATH (fmt; --offline skips init).
func TestScripts(t *testing.T) {
	clitest.Run(t, "testdata/script")
}

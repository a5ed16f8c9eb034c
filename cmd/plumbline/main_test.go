package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/pkg/proc"
)

func TestMain(m *testing.M) {
	if code, ok := proc.Serve(); ok { // a chart rendered in a child
		os.Exit(code)
	}
	testscript.Main(m, map[string]func(){"plumbline": main})
}

func TestScripts(t *testing.T) {
	clitest.Run(t, "testdata/script")
}

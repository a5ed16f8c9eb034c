package main

import (
	"testing"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"dns-zone-diff": main})
}

func TestScripts(t *testing.T) {
	clitest.Run(t, "testdata/script")
}

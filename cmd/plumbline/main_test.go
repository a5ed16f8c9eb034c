package main

import (
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/plumbline/plumbline/internal/clitest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"plumbline": main})
}

func TestScripts(t *testing.T) {
	clitest.Run(t, "testdata/script")
}

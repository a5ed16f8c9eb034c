package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestShippedYAML is the gate for everything under tasks/, pipelines/ and
// triggers/, and for .ko.yaml. The rules themselves are tested in
// hack/tektoncheck.
func TestShippedYAML(t *testing.T) {
	root := filepath.Join("..", "..")
	problems, err := Check(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	files, err := yamlFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tasks/report.yaml", "pipelines/infra-validation.yaml", "triggers/template.yaml", "pipelines/samples/infra-validation-run.yaml"} {
		if !containsSuffix(files, filepath.FromSlash(want)) {
			t.Errorf("%s was not checked; checked %v", want, files)
		}
	}
}

func containsSuffix(files []string, suffix string) bool {
	for _, f := range files {
		if strings.HasSuffix(f, suffix) {
			return true
		}
	}
	return false
}

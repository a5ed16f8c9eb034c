package main

import (
	"os"
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

// A claim of a Tekton release other than the one e2e runs is refused at
// its line.
func TestMinVersionIsTested(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "test", "e2e", "upstream", "pipeline"), 0o755)
	os.WriteFile(filepath.Join(root, "test", "e2e", "upstream", "pipeline", "go.mod"), []byte("module x\n\nrequire github.com/tektoncd/pipeline v1.9.0\n"), 0o644)
	f := filepath.Join(root, "task.yaml")
	os.WriteFile(f, []byte("metadata:\n  annotations:\n    tekton.dev/pipelines.minVersion: \"1.0.0\"\n"), 0o644)
	ps, err := checkMinVersion(root, []string{f})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Line != 3 || ps[0].Rule != RuleMinVersion {
		t.Errorf("problems %v", ps)
	}
	os.WriteFile(f, []byte("metadata:\n  annotations:\n    tekton.dev/pipelines.minVersion: \"1.9.0\"\n"), 0o644)
	if ps, _ := checkMinVersion(root, []string{f}); len(ps) != 0 {
		t.Errorf("the tested release refused: %v", ps)
	}
}

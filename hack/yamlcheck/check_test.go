package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestShippedYAML is the gate for everything under tasks/, pipelines/ and
// triggers/, and for .ko.yaml.
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
	if !containsSuffix(files, filepath.Join("tasks", "report.yaml")) {
		t.Errorf("tasks/report.yaml was not checked; checked %v", files)
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

func TestGood(t *testing.T) {
	problems, err := CheckFile("testdata/root", "testdata/good/task.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestEachRuleFires: every file in testdata/bad breaks the rule it is named
// after (unknown-field is Tekton's strict decoding) and no other.
func TestEachRuleFires(t *testing.T) {
	want := map[string][]string{
		"metadata": {
			`annotation tekton.dev/platforms is "linux/amd64", want "linux/amd64,linux/arm64"`,
			"spec.description is missing",
		},
		"ko-path": {
			"ko://github.com/other/thing/cmd/x is not ko://github.com/plumbline/plumbline/images/<name>",
			"ko://github.com/plumbline/plumbline/images/notmain: no main package in images/notmain",
		},
		"image":       {`step shell: image "alpine:3.20" is neither ko:// nor a param defaulting to ko://`},
		"script-vars": {"step shell: script uses $(params.…); pass it through env or args", "step shell: script uses $(workspaces.…); pass it through env or args"},
		"non-root":    {"step check: securityContext pins a UID or GID; leave it to the image (65532) so a platform can assign one", "step shell: securityContext.runAsNonRoot is not true"},
		"params":      {"param unused is declared but never used"},
		"wiring": {
			"task check: good has no param nope",
			"task check: good has no workspace other",
			"task check: workspace source of good is not bound",
			"$(tasks.check.results.missing) refers to result missing, which good does not declare",
		},
	}
	entries, err := os.ReadDir("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".yaml")
		t.Run(name, func(t *testing.T) {
			problems, err := CheckFile("testdata/root", filepath.Join("testdata/bad", e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) == 0 {
				t.Fatal("no problem found")
			}
			wantRule := name
			if name == "unknown-field" {
				wantRule = RuleTekton
			}
			var msgs []string
			for _, p := range problems {
				if p.Rule != wantRule {
					t.Errorf("unexpected %v", p)
				}
				if p.File != filepath.Join("..", "bad", e.Name()) || p.Line < 1 {
					t.Errorf("problem not located: %v", p)
				}
				msgs = append(msgs, p.Msg)
			}
			if w, ok := want[name]; ok {
				if diff := cmp.Diff(w, msgs); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
		})
	}
}

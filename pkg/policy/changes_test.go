package policy

import (
	"strings"
	"testing"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/internal/testfs"
)

// TestChanges: policy-check reads the whole of its paths, so a pull
// request's change (real git's diff) skips it only when it touches none of
// them, nor a policy or the waivers.
func TestChanges(t *testing.T) {
	repo := t.TempDir()
	files := map[string]string{
		"kubernetes/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n",
		"policy/pod.rego":     "package main\n\ndeny contains msg if {\n\tinput.kind == \"Pod\"\n\tmsg := \"a pod\"\n}\n",
		"terraform/main.tf":   "variable \"a\" {}\n",
		".plumbline.yaml":     "version: 1\n",
	}
	testfs.Commit(t, repo, files)
	for _, tc := range []struct {
		name, file string
		skipped    bool
	}{
		{"a file it reads", "kubernetes/pod.yaml", false},
		{"a policy", "policy/pod.rego", false},
		{"a file outside its paths", "terraform/main.tf", true},
		{"the config", ".plumbline.yaml", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			diff := testfs.Change(t, repo, map[string]string{tc.file: files[tc.file] + "# changed\n"})
			r, _, err := clitest.RunCheck(t, &Check{}, repo, "-p", "policy", "--changes", diff, "kubernetes")
			if tc.skipped {
				if err == nil || !strings.Contains(err.Error(), "the change touches nothing under kubernetes, nor a policy, data or waiver file") {
					t.Fatalf("want a skip: %v", err)
				}
				return
			}
			if err != nil || r == nil || r.Summary.Errors != 1 {
				t.Fatalf("want it run, one finding: %v %+v", err, r)
			}
		})
	}
}

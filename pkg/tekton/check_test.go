package tekton

import (
	"fmt"
	"github.com/plumbline/plumbline/pkg/tree"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRepo(t *testing.T) {
	t.Chdir("testdata/repo")
	fs, n, err := Tree(tree.NewWalk(), []string{"."}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("read %d Tekton documents, want 5", n)
	}
	var got []string
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%s:%d %s %s", f.File, f.Line, f.Rule, f.Severity))
		t.Log(f.Message)
	}
	want := []string{
		".tekton/pipeline.yaml:15 tekton/param-unknown warning",
		".tekton/pipeline.yaml:11 tekton/param-missing error",
		".tekton/pipeline.yaml:22 tekton/ref-missing error",
		".tekton/pipeline.yaml:23 tekton/workspace-unbound error",
		".tekton/pipeline.yaml:41 tekton/workspace-unknown error",
		".tekton/run.yaml:6 tekton/workspace-unbound error",
		".tekton/trigger.yaml:15 tekton/ref-missing error",
		".tekton/yamllint.yaml:14 tekton/image-latest error",
		".tekton/yamllint.yaml:17 tekton/image-no-digest warning",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
}

package imagetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	pipelinev1beta1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1beta1"
	"sigs.k8s.io/yaml"
)

// TaskFor returns the shipped Task (tasks/*.yaml under root) that runs an
// image: the one whose image param defaults to ko://…/images/<image>.
func TaskFor(t testing.TB, root, image string) *pipelinev1.Task {
	t.Helper()
	return shipped(t, root, "tasks", "Task that runs the "+image+" image", func(task *pipelinev1.Task) bool {
		for _, p := range task.Spec.Params {
			if p.Name == "image" && p.Default != nil && strings.HasSuffix(p.Default.StringVal, "/images/"+image) {
				return true
			}
		}
		return false
	})
}

// StepActionFor returns the shipped StepAction (stepactions/*.yaml under
// root) of that name: what a Task's step that refs it runs.
func StepActionFor(t testing.TB, root, name string) *pipelinev1beta1.StepAction {
	t.Helper()
	return shipped(t, root, "stepactions", "StepAction "+name, func(sa *pipelinev1beta1.StepAction) bool { return sa.Name == name })
}

// StepActionOfImage is the StepAction whose image param defaults to
// images/NAME.
func StepActionOfImage(t testing.TB, root, image string) *pipelinev1beta1.StepAction {
	t.Helper()
	return shipped(t, root, "stepactions", "StepAction of images/"+image, func(sa *pipelinev1beta1.StepAction) bool {
		for _, p := range sa.Spec.Params {
			if p.Name == "image" && p.Default != nil && p.Default.StringVal == "ko://github.com/plumbline/plumbline/images/"+image {
				return true
			}
		}
		return false
	})
}

// shipped decodes each YAML file of root/dir as a T and returns the first
// that match accepts; none is the test's failure.
func shipped[T any](t testing.TB, root, dir, what string, match func(*T) bool) *T {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, dir, "*.yaml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		obj := new(T)
		if err := yaml.Unmarshal(data, obj); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if match(obj) {
			return obj
		}
	}
	t.Fatalf("no %s in %s/", what, dir)
	return nil
}

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
	files, _ := filepath.Glob(filepath.Join(root, "tasks", "*.yaml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var task pipelinev1.Task
		if err := yaml.Unmarshal(data, &task); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, p := range task.Spec.Params {
			if p.Name == "image" && p.Default != nil && strings.HasSuffix(p.Default.StringVal, "/images/"+image) {
				return &task
			}
		}
	}
	t.Fatalf("no Task in tasks/ runs the %s image", image)
	return nil
}

// StepActionFor returns the shipped StepAction (stepactions/*.yaml under
// root) of that name: what a Task's step that refs it runs.
func StepActionFor(t testing.TB, root, name string) *pipelinev1beta1.StepAction {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, "stepactions", "*.yaml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var sa pipelinev1beta1.StepAction
		if err := yaml.Unmarshal(data, &sa); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if sa.Name == name {
			return &sa
		}
	}
	t.Fatalf("no StepAction %s in stepactions/", name)
	return nil
}

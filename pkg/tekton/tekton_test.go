package tekton

import (
	"context"
	"github.com/plumbline/plumbline/pkg/tree"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	prresources "github.com/tektoncd/pipeline/pkg/reconciler/pipelinerun/resources"
	"github.com/tektoncd/pipeline/pkg/reconciler/taskrun"
	trresources "github.com/tektoncd/pipeline/pkg/reconciler/taskrun/resources"
	"github.com/tektoncd/pipeline/pkg/workspace"
	corev1 "k8s.io/api/core/v1"
	k8syaml "sigs.k8s.io/yaml"

	"github.com/plumbline/plumbline/tasks"
)

// TestAsTekton: for every pipeline task, PipelineRun and TaskRun of the
// test repository that refers to a Task or Pipeline by name, the params
// and workspaces it gives are refused by Tekton's own reconciler
// validation (the functions the controller runs before it starts a run)
// exactly when this package reports a missing param or a workspace
// problem for it.
func TestAsTekton(t *testing.T) {
	ctx := context.Background()
	taskSpecs := map[string]*v1.TaskSpec{}
	pipelines := map[string]*v1.Pipeline{}
	var runs []*v1.PipelineRun
	var taskRuns []*v1.TaskRun
	read := func(data []byte) {
		for _, part := range strings.Split(string(data), "\n---\n") {
			var meta struct{ Kind string }
			if k8syaml.Unmarshal([]byte(part), &meta) != nil {
				continue
			}
			switch meta.Kind {
			case "Task":
				var x v1.Task
				if err := k8syaml.Unmarshal([]byte(part), &x); err != nil {
					t.Fatal(err)
				}
				x.SetDefaults(ctx) // as Tekton's webhook does on apply
				taskSpecs[x.Name] = &x.Spec
			case "Pipeline":
				var x v1.Pipeline
				if err := k8syaml.Unmarshal([]byte(part), &x); err != nil {
					t.Fatal(err)
				}
				x.SetDefaults(ctx) // as Tekton's webhook does on apply
				pipelines[x.Name] = &x
			case "PipelineRun":
				var x v1.PipelineRun
				if err := k8syaml.Unmarshal([]byte(part), &x); err != nil {
					t.Fatal(err)
				}
				x.SetDefaults(ctx) // as Tekton's webhook does on apply
				runs = append(runs, &x)
			case "TaskRun":
				var x v1.TaskRun
				if err := k8syaml.Unmarshal([]byte(part), &x); err != nil {
					t.Fatal(err)
				}
				x.SetDefaults(ctx) // as Tekton's webhook does on apply
				taskRuns = append(taskRuns, &x)
			}
		}
	}
	ours, _ := fs.Glob(tasks.FS, "*.yaml")
	for _, n := range ours {
		data, _ := fs.ReadFile(tasks.FS, n)
		read(data)
	}
	files, _ := filepath.Glob("testdata/repo/.tekton/*.yaml")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		read(data)
	}
	bindings := func(ws []v1.WorkspacePipelineTaskBinding) []v1.WorkspaceBinding {
		var out []v1.WorkspaceBinding
		for _, w := range ws {
			out = append(out, v1.WorkspaceBinding{Name: w.Name, EmptyDir: &corev1.EmptyDirVolumeSource{}})
		}
		return out
	}
	// Tekton's verdict: entity -> problem kinds.
	want := map[string][]string{}
	verdict := func(what string, params, ws error) {
		t.Logf("%s: params %v; workspaces %v", what, params, ws)
		var kinds []string
		if params != nil {
			kinds = append(kinds, "params")
		}
		if ws != nil {
			kinds = append(kinds, "workspaces")
		}
		want[what] = kinds
	}
	for _, p := range pipelines {
		for _, pt := range append(p.Spec.Tasks, p.Spec.Finally...) {
			if pt.TaskRef == nil || pt.TaskRef.Name == "" {
				continue
			}
			ts := taskSpecs[pt.TaskRef.Name]
			if ts == nil {
				continue // tekton/ref-missing, proved in TestRepo
			}
			what := "Pipeline/" + p.Name + " task " + pt.Name
			verdict(what, taskrun.ValidateResolvedTask(ctx, pt.Params, nil, &trresources.ResolvedTask{TaskSpec: ts}),
				workspace.ValidateBindings(ctx, ts.Workspaces, bindings(pt.Workspaces)))
		}
	}
	for _, pr := range runs {
		p := pipelines[pr.Spec.PipelineRef.Name]
		if p == nil {
			continue
		}
		verdict("PipelineRun/"+pr.GenerateName, prresources.ValidateRequiredParametersProvided(&p.Spec.Params, &pr.Spec.Params),
			prresources.ValidateWorkspaceBindings(&p.Spec, pr))
	}
	for _, tr := range taskRuns {
		ts := taskSpecs[tr.Spec.TaskRef.Name]
		verdict("TaskRun/"+tr.Name, taskrun.ValidateResolvedTask(ctx, tr.Spec.Params, nil, &trresources.ResolvedTask{TaskSpec: ts}),
			workspace.ValidateBindings(ctx, ts.Workspaces, tr.Spec.Workspaces))
	}
	t.Chdir("testdata/repo")
	found, _, err := Tree(tree.NewWalk(), []string{"."}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for what := range want {
		got[what] = nil
		seen := map[string]bool{}
		for _, f := range found {
			if !strings.HasPrefix(f.Message, what+" ") {
				continue
			}
			kind := map[string]string{RuleParamMissing: "params", RuleWorkspaceUnbound: "workspaces", RuleWorkspaceUnknown: "workspaces"}[f.Rule]
			if kind != "" && !seen[kind] && !strings.Contains(f.Message, "Pipeline's workspace") {
				seen[kind] = true
				got[what] = append(got[what], kind)
			}
		}
	}
	if len(want) < 4 {
		t.Fatalf("only %d runs and pipeline tasks judged: %v", len(want), want)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("refused (-tekton +ours):\n%s", d)
	}
	// The Pipeline binding a workspace it does not declare: Tekton's
	// webhook refuses the Pipeline itself.
	if err := pipelines["homelab-ci"].Validate(ctx); err == nil || !strings.Contains(err.Error(), "sharedd") {
		t.Errorf("Tekton's validation of the Pipeline: %v, want the undeclared workspace sharedd refused", err)
	}
}

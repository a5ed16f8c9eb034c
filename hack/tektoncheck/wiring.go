package tektoncheck

import (
	"encoding/json"
	"regexp"
	"slices"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	pipelinev1beta1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1beta1"
)

// Load indexes the Tasks and StepActions in files by metadata.name, so
// Pipelines and Tasks can be checked against what they name. A file that
// does not decode is left to File to report.
func (f *Files) Load(files []string) (map[string]*pipelinev1.Task, map[string]*pipelinev1beta1.StepAction) {
	tasks := map[string]*pipelinev1.Task{}
	actions := map[string]*pipelinev1beta1.StepAction{}
	for _, file := range files {
		objs, err := f.Objects(file)
		if err != nil {
			continue
		}
		for _, o := range objs {
			switch o := o.(type) {
			case *pipelinev1.Task:
				tasks[o.Name] = o
			case *pipelinev1beta1.StepAction:
				actions[o.Name] = o
			}
		}
	}
	return tasks, actions
}

var stepResultRef = regexp.MustCompile(`\$\(steps\.([a-z0-9-]+)\.results\.([A-Za-z0-9_-]+)\)`)

// stepWiring checks each step of t that runs one of our StepActions (a ref
// by name, no resolver): the StepAction exists, every param given is one
// it declares, every param it requires is given, and every step result
// the Task reads is one it declares.
func stepWiring(t *pipelinev1.Task, actions map[string]*pipelinev1beta1.StepAction) []Problem {
	var ps []Problem
	byStep := map[string]*pipelinev1beta1.StepAction{}
	for _, s := range t.Spec.Steps {
		if LocalRef(s.Ref) == "" {
			continue
		}
		a, ok := actions[s.Ref.Name]
		if !ok {
			ps = append(ps, rule(RuleWiring, "step %s: no StepAction %s in stepactions/", s.Name, s.Ref.Name))
			continue
		}
		byStep[s.Name] = a
		ps = append(ps, paramWiring("step "+s.Name, a.Name, s.Params, a.Spec.Params)...)
	}
	b, _ := json.Marshal(t.Spec)
	for _, m := range stepResultRef.FindAllStringSubmatch(string(b), -1) {
		a, ok := byStep[m[1]]
		if !ok {
			continue
		}
		if !slices.ContainsFunc(a.Spec.Results, func(r pipelinev1.StepResult) bool { return r.Name == m[2] }) {
			ps = append(ps, rule(RuleWiring, "%s refers to result %s, which %s does not declare", m[0], m[2], a.Name))
		}
	}
	return ps
}

// paramWiring: where (a pipeline task, a step) gives target (a Task, a
// StepAction) only params it declares, and all it requires.
func paramWiring(where, target string, given pipelinev1.Params, specs pipelinev1.ParamSpecs) []Problem {
	var ps []Problem
	names := map[string]bool{}
	for _, prm := range given {
		names[prm.Name] = true
		if !slices.ContainsFunc(specs, func(s pipelinev1.ParamSpec) bool { return s.Name == prm.Name }) {
			ps = append(ps, rule(RuleWiring, "%s: %s has no param %s", where, target, prm.Name))
		}
	}
	for _, s := range specs {
		if s.Default == nil && !names[s.Name] {
			ps = append(ps, rule(RuleWiring, "%s: required param %s of %s is not given", where, s.Name, target))
		}
	}
	return ps
}

var resultRef = regexp.MustCompile(`\$\((tasks|finally)\.([a-z0-9-]+)\.results\.([A-Za-z0-9_-]+)\)`)

// wiring checks each pipeline task that names one of our Tasks: every
// required param given, no unknown param, every required workspace bound
// and none unknown, and every result referenced declared by its task.
// Tasks fetched by a resolver are not checked here.
func wiring(p *pipelinev1.Pipeline, tasks map[string]*pipelinev1.Task) []Problem {
	var ps []Problem
	byName := map[string]*pipelinev1.Task{}
	for _, pt := range append(append([]pipelinev1.PipelineTask{}, p.Spec.Tasks...), p.Spec.Finally...) {
		if pt.TaskRef == nil || pt.TaskRef.Name == "" {
			continue
		}
		t, ok := tasks[pt.TaskRef.Name]
		if !ok {
			ps = append(ps, rule(RuleWiring, "task %s: no Task %s in tasks/", pt.Name, pt.TaskRef.Name))
			continue
		}
		byName[pt.Name] = t
		ps = append(ps, paramWiring("task "+pt.Name, t.Name, pt.Params, t.Spec.Params)...)
		bound := map[string]bool{}
		for _, w := range pt.Workspaces {
			bound[w.Name] = true
			if !slices.ContainsFunc(t.Spec.Workspaces, func(d pipelinev1.WorkspaceDeclaration) bool { return d.Name == w.Name }) {
				ps = append(ps, rule(RuleWiring, "task %s: %s has no workspace %s", pt.Name, t.Name, w.Name))
			}
		}
		for _, d := range t.Spec.Workspaces {
			if !d.Optional && !bound[d.Name] {
				ps = append(ps, rule(RuleWiring, "task %s: workspace %s of %s is not bound", pt.Name, d.Name, t.Name))
			}
		}
	}
	b, _ := json.Marshal(p.Spec)
	for _, m := range resultRef.FindAllStringSubmatch(string(b), -1) {
		t, ok := byName[m[2]]
		if !ok {
			continue
		}
		if !slices.ContainsFunc(t.Spec.Results, func(r pipelinev1.TaskResult) bool { return r.Name == m[3] }) {
			ps = append(ps, rule(RuleWiring, "%s refers to result %s, which %s does not declare", m[0], m[3], t.Name))
		}
	}
	return ps
}

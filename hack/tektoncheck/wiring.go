package tektoncheck

import (
	"encoding/json"
	"regexp"
	"slices"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
)

// LoadTasks indexes the Tasks in files by metadata.name, so Pipelines can
// be checked against them. A file that does not decode is left to File to
// report.
func LoadTasks(files []string) map[string]*pipelinev1.Task {
	tasks := map[string]*pipelinev1.Task{}
	for _, f := range files {
		objs, err := Objects(f)
		if err != nil {
			continue
		}
		for _, o := range objs {
			if t, ok := o.(*pipelinev1.Task); ok {
				tasks[t.Name] = t
			}
		}
	}
	return tasks
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
		given := map[string]bool{}
		for _, prm := range pt.Params {
			given[prm.Name] = true
			if !slices.ContainsFunc(t.Spec.Params, func(s pipelinev1.ParamSpec) bool { return s.Name == prm.Name }) {
				ps = append(ps, rule(RuleWiring, "task %s: %s has no param %s", pt.Name, t.Name, prm.Name))
			}
		}
		for _, s := range t.Spec.Params {
			if s.Default == nil && !given[s.Name] {
				ps = append(ps, rule(RuleWiring, "task %s: required param %s of %s is not given", pt.Name, s.Name, t.Name))
			}
		}
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

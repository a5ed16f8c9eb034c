package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"gopkg.in/yaml.v3"
)

// RuleWiring: a Pipeline's tasks must fit the Tasks they name.
const RuleWiring = "wiring"

// loadTasks indexes the Tasks under root/tasks by metadata.name, so
// Pipelines can be checked against them.
func loadTasks(root string) (map[string]*pipelinev1.Task, error) {
	files, err := filepath.Glob(filepath.Join(root, "tasks", "*.yaml"))
	if err != nil {
		return nil, err
	}
	tasks := map[string]*pipelinev1.Task{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			continue // reported by the YAML check
		}
		j, _ := json.Marshal(v)
		var t pipelinev1.Task
		if json.Unmarshal(j, &t) == nil && t.Kind == "Task" {
			tasks[t.Name] = &t
		}
	}
	return tasks, nil
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

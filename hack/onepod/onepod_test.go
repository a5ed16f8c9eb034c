package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// TestTasksAsGenerated: the Tasks in tasks/ are what the description and
// the StepActions make (make lint says the same; this is the go test
// ./... view of it).
func TestTasksAsGenerated(t *testing.T) {
	files, err := Make("../..")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("%d Tasks made, want validate and dns-preview", len(files))
	}
	for _, f := range files {
		old, err := os.ReadFile(filepath.Join("../..", f.Path))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(old), string(f.Data)); diff != "" {
			t.Errorf("%s is not what make generate writes (-file +made):\n%s", f.Path, diff)
		}
	}
}

// TestWiring: what the generator derives, on a small description: the
// params no step gives (only those its StepAction takes), a workspace's
// mount and param (only where the Task has it), a Task's change and drop,
// the report's --expect-sha256 for each earlier check.
func TestWiring(t *testing.T) {
	d, actions := tiny(t, "")
	got, err := Generate(d, actions, d.Tasks[0])
	if err != nil {
		t.Fatal(err)
	}
	var task struct {
		Spec struct {
			Steps []struct {
				Name       string
				OnError    string `yaml:"onError"`
				Workspaces []struct {
					Name      string
					MountPath string `yaml:"mountPath"`
				}
				Params []struct {
					Name  string
					Value any
				}
			}
		}
	}
	if err := yaml.Unmarshal(got, &task); err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	type step struct {
		Name, OnError string
		Mounts        []string
		Params        map[string]any
	}
	var steps []step
	for _, s := range task.Spec.Steps {
		st := step{Name: s.Name, OnError: s.OnError, Params: map[string]any{}}
		for _, w := range s.Workspaces {
			st.Mounts = append(st.Mounts, w.Name+"@"+w.MountPath)
		}
		for _, p := range s.Params {
			st.Params[p.Name] = p.Value
		}
		steps = append(steps, st)
	}
	want := []step{
		{Name: "fetch", Mounts: []string{"git-credentials@/workspace/git-credentials"}, Params: map[string]any{
			"url": "$(params.repo-url)", "basic-auth-path": "$(workspaces.git-credentials.path)"}},
		{Name: "check", OnError: "continue", Params: map[string]any{
			"source-dir": "/plumbline/src", "reports-dir": "/plumbline/reports", "run-id": "$(context.taskRun.uid)",
			"config-sha256": "$(steps.fetch.results.config-sha256)", "fail-on": "$(params.fail-on)", "path": "zones"}},
		{Name: "report", Params: map[string]any{
			"reports-dir": "/plumbline/reports", "run-id": "$(context.taskRun.uid)", "fail-on": "$(params.fail-on)",
			"config-sha256": "$(steps.fetch.results.config-sha256)", "reports": []any{"check.json"},
			"extra-args": []any{"--expect-sha256=check.json=$(steps.check.results.report-sha256)"}}},
	}
	if diff := cmp.Diff(want, steps); diff != "" {
		t.Errorf("(-want +got):\n%s\n%s", diff, got)
	}
}

// TestRefused: a description that names what is not there is an error
// that says what, never a Task that Tekton would refuse later.
func TestRefused(t *testing.T) {
	for _, tc := range []struct{ name, change, want string }{
		{"unknown step", "unknown-step", "step nope is not among the steps"},
		{"drop unset", "drop-unset", "drops color, which it does not set"},
		{"param the action lacks", "bad-param", "StepAction plumbline-check has no param color"},
		{"unknown param", "unknown-param", "param nope is not among the params"},
		{"script", "script", "StepAction plumbline-check has a script"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, actions := tiny(t, tc.change)
			_, err := Generate(d, actions, d.Tasks[0])
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// tiny is a description of one Task of three steps, changed as named.
func tiny(t *testing.T, change string) (*Description, map[string]Action) {
	t.Helper()
	text := `
params:
  repo-url: {description: The repository.}
  fail-on: {description: Severity., default: ""}
workspaces:
  git-credentials: {description: Basic auth., optional: true}
  dns-credentials: {description: Keys., optional: true}
steps:
  fetch:
    action: plumbline-git-fetch
    workspaces: {git-credentials: basic-auth-path}
    params: {url: $(params.repo-url)}
    requests: {cpu: 50m, memory: 32Mi}
    limit: 256Mi
  check:
    action: plumbline-check
    onError: continue
    workspaces: {dns-credentials: creds-dir}
    params: {path: zones, color: blue}
    requests: {cpu: 50m, memory: 32Mi}
    limit: 1Gi
  report:
    action: plumbline-report
    requests: {cpu: 50m, memory: 32Mi}
    limit: 256Mi
tasks:
  - file: tasks/t.yaml
    name: t
    version: "0.1.0"
    minVersion: "1.9.0"
    params: [repo-url, fail-on]
    workspaces: [git-credentials]
    steps:
      - fetch
      - check: {drop: [color]}
      - report: {params: {reports: [check.json]}}
`
	switch change {
	case "unknown-step":
		text = strings.Replace(text, "      - fetch\n", "      - nope\n", 1)
	case "drop-unset":
		text = strings.Replace(text, "params: {path: zones, color: blue}", "params: {path: zones}", 1)
	case "bad-param":
		text = strings.Replace(text, "      - check: {drop: [color]}\n", "      - check\n", 1)
	case "unknown-param":
		text = strings.Replace(text, "params: [repo-url, fail-on]", "params: [repo-url, fail-on, nope]", 1)
	}
	var d Description
	if err := yaml.Unmarshal([]byte(text), &d); err != nil {
		t.Fatal(err)
	}
	actions := map[string]Action{
		"plumbline-git-fetch": {Params: []string{"url", "basic-auth-path", "output-path"}, Results: []string{"commit", "config-sha256"}},
		"plumbline-check":     {Params: []string{"source-dir", "reports-dir", "creds-dir", "path", "fail-on", "config-sha256", "run-id"}, Results: []string{"report-sha256"}, Script: change == "script"},
		"plumbline-report":    {Params: []string{"reports-dir", "reports", "fail-on", "config-sha256", "run-id", "extra-args"}},
	}
	return &d, actions
}

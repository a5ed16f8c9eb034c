package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
			refused(t, d, actions, tc.want)
		})
	}
}

// refused wants the description's first Task refused, saying want.
func refused(t *testing.T, d *Description, actions map[string]Action, want string) {
	t.Helper()
	if _, err := Generate(d, actions, d.Tasks[0]); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
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

// TestComposite runs a step made of two (then) as its container would:
// the first's script, then the second's command with its args verbatim
// (a param's value is never read by the shell), the first's results read
// from their files, the second's exit not the step's, the first's home
// gone before the second starts.
func TestComposite(t *testing.T) {
	dir := t.TempDir()
	check := filepath.Join(dir, "check")
	// The second step's command: records its args, one a line, and HOME.
	if err := os.WriteFile(check, []byte("#!/bin/sh\nprintf '%s\\n' \"$@\" >\""+dir+"/args\"\nprintf %s \"$HOME\" >\""+dir+"/home\"\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	d, actions := composed(t, check)
	got, err := Generate(d, actions, d.Tasks[0])
	if err != nil {
		t.Fatal(err)
	}
	var task struct {
		Spec struct {
			Steps []struct {
				Name, Image string
				Env         []struct{ Name, Value string }
				Command     []string
				Args        []string
				Results     []struct{ Name string }
				Workspaces  []struct{ Name string }
			}
		}
	}
	if err := yaml.Unmarshal(got, &task); err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	s := task.Spec.Steps[0]
	var results, mounts []string
	for _, r := range s.Results {
		results = append(results, r.Name)
	}
	for _, w := range s.Workspaces {
		mounts = append(mounts, w.Name)
	}
	if s.Name != "fetch" || s.Image != "ko://example/check" || !slices.Equal(s.Command, []string{"/bin/sh", "-c"}) ||
		!slices.Equal(results, []string{"commit", "config-sha256", "report-sha256"}) || !slices.Equal(mounts, []string{"git-credentials", "policy"}) {
		t.Fatalf("step %s image %s command %v results %v workspaces %v\n%s", s.Name, s.Image, s.Command, results, mounts, got)
	}
	if !strings.Contains(s.Args[0], "echo fetching\n") {
		t.Errorf("the first's script is not in the step:\n%s", s.Args[0])
	}

	// What Tekton does: the result paths, the params' values.
	res := filepath.Join(dir, "results")
	os.Mkdir(res, 0o755)
	repl := strings.NewReplacer("$(step.results.", res+"/", ".path)", "", "$(params.repo-url)", "https://example.com/$(id).git",
		"$(params.where)", `zones "$(touch pwned)" ; x`)
	var args []string
	for _, a := range s.Args {
		args = append(args, repl.Replace(a))
	}
	cmd := exec.Command("/bin/sh", append([]string{"-c"}, args...)...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=/image-home"}
	for _, e := range s.Env {
		cmd.Env = append(cmd.Env, e.Name+"="+repl.Replace(e.Value))
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the step failed (the second's exit 1 must not fail it): %v\n%s", err, out)
	}
	recorded, _ := os.ReadFile(filepath.Join(dir, "args"))
	want := "--config-sha256=abc\n--path=zones \"$(touch pwned)\" ; x\n--verbose\n--result=report-sha256=" + res + "/report-sha256\n"
	if diff := cmp.Diff(want, string(recorded)); diff != "" {
		t.Errorf("the second's args (-want +got):\n%s\n%s", diff, out)
	}
	if home, _ := os.ReadFile(filepath.Join(dir, "home")); string(home) != "/image-home" {
		t.Errorf("the second ran with HOME %q, want the image's", home)
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Error("a param's value was run by the shell")
	}
	if first, _ := os.ReadFile(filepath.Join(dir, "first-home")); len(first) == 0 {
		t.Error("the first's script did not run")
	} else if _, err := os.Stat(string(first)); err == nil {
		t.Errorf("the first's home %s is still there when the second runs", first)
	}
}

// TestCompositeRefused: a pair the shell could not run safely is an error.
func TestCompositeRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(first, second *Action)
		want   string
	}{
		{"param in the script", func(f, _ *Action) { f.Args = []string{"echo $(params.url)"} }, "script names a param"},
		{"not a shell", func(f, _ *Action) { f.Command = []string{"/ko-app/git-init"} }, "not a shell's -c script"},
		{"env in the second", func(_, s *Action) { s.Env = [][2]string{{"X", "y"}} }, "want one command and no env"},
		{"a result of both", func(_, s *Action) { s.Results = append(s.Results, "commit") }, "both StepActions have the result commit"},
		{"other securityContext", func(_, s *Action) { s.SecurityContext = &yaml.Node{Kind: yaml.ScalarNode, Value: "x"} }, "different securityContexts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, actions := composed(t, "/ko-app/check")
			first, second := actions["plumbline-git-fetch"], actions["plumbline-check"]
			tc.change(&first, &second)
			actions["plumbline-git-fetch"], actions["plumbline-check"] = first, second
			refused(t, d, actions, tc.want)
		})
	}
}

// composed is a Task of one step, a fetch then a check whose command is
// command.
func composed(t *testing.T, command string) (*Description, map[string]Action) {
	t.Helper()
	text := `
params:
  repo-url: {description: The repository.}
  where: {description: What to check.}
workspaces:
  git-credentials: {description: Basic auth., optional: true}
  policy: {description: Policies., optional: true}
steps:
  fetch:
    action: plumbline-git-fetch
    workspaces: {git-credentials: basic-auth-path}
    params: {url: $(params.repo-url)}
    requests: {cpu: 50m, memory: 32Mi}
    limit: 256Mi
  check:
    action: plumbline-check
    workspaces: {policy: policy-dir}
    params: {path: $(params.where), extra-args: [--verbose]}
    requests: {cpu: 100m, memory: 64Mi}
    limit: 1Gi
tasks:
  - file: tasks/t.yaml
    name: t
    version: "0.1.0"
    minVersion: "1.9.0"
    params: [repo-url, where]
    workspaces: [git-credentials, policy]
    steps:
      - fetch: {then: {check: {}}}
`
	var d Description
	if err := yaml.Unmarshal([]byte(text), &d); err != nil {
		t.Fatal(err)
	}
	var sec yaml.Node
	if err := yaml.Unmarshal([]byte("runAsNonRoot: true\n"), &sec); err != nil {
		t.Fatal(err)
	}
	script := "set -eu\nHOME=$(mktemp -d)\nexport HOME\ntrap 'rm -rf \"$HOME\"' EXIT\necho fetching\n" +
		"printf %s \"$HOME\" >first-home\nprintf %s \"$PARAM_URL\" >\"$(step.results.commit.path)\"\nprintf abc >\"$(step.results.config-sha256.path)\"\n"
	actions := map[string]Action{
		"plumbline-git-fetch": {Params: []string{"url", "basic-auth-path", "output-path"}, Results: []string{"commit", "config-sha256"},
			ResultDocs: map[string]string{"commit": "c", "config-sha256": "s"}, Defaults: map[string]any{"output-path": "/src"},
			Command: []string{"/bin/sh", "-c"}, Args: []string{script}, Env: [][2]string{{"PARAM_URL", "$(params.url)"}, {"PARAM_OUT", "$(params.output-path)"}},
			SecurityContext: sec.Content[0]},
		"plumbline-check": {Params: []string{"policy-dir", "reports-dir", "path", "config-sha256", "extra-args", "image"}, Results: []string{"report-sha256"},
			ResultDocs: map[string]string{"report-sha256": "r"}, Defaults: map[string]any{"image": "ko://example/check", "extra-args": []any{}},
			Image: "$(params.image)", Command: []string{command},
			Args:            []string{"--config-sha256=$(params.config-sha256)", "--path=$(params.path)", "$(params.extra-args[*])", "--result=report-sha256=$(step.results.report-sha256.path)"},
			SecurityContext: sec.Content[0]},
	}
	return &d, actions
}

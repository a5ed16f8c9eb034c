package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"gopkg.in/yaml.v3"
)

// Description is hack/onepod/onepod.yaml: the one-pod Tasks in terms of
// the StepActions.
type Description struct {
	Params     map[string]Param     `yaml:"params"`
	Workspaces map[string]Workspace `yaml:"workspaces"`
	Steps      map[string]Step      `yaml:"steps"`
	Tasks      []Task               `yaml:"tasks"`
}

// Param is a Task param.
type Param struct {
	Description string  `yaml:"description"`
	Default     *string `yaml:"default"`
}

// Workspace is a Task workspace.
type Workspace struct {
	Description string `yaml:"description"`
	Optional    bool   `yaml:"optional"`
	ReadOnly    bool   `yaml:"readOnly"`
}

// Step is a step of a Task: a StepAction with params.
type Step struct {
	Action  string `yaml:"action"`
	Comment string `yaml:"comment"`
	OnError string `yaml:"onError"`
	// Workspaces maps each workspace the step mounts to the param that
	// takes its path.
	Workspaces       yaml.Node         `yaml:"workspaces"`
	Params           map[string]any    `yaml:"params"`
	ParamComments    map[string]string `yaml:"paramComments"`
	ResourcesComment string            `yaml:"resourcesComment"`
	Requests         map[string]string `yaml:"requests"`
	Limit            string            `yaml:"limit"`
	// Then is a step run in this step's container after it (compose.go):
	// a Task's change only.
	Then *Named `yaml:"-"`
}

// Result is a Task result.
type Result struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Value       string `yaml:"value"`
}

// Task is one generated file.
type Task struct {
	File         string   `yaml:"file"`
	Name         string   `yaml:"name"`
	Version      string   `yaml:"version"`
	MinVersion   string   `yaml:"minVersion"`
	Categories   string   `yaml:"categories"`
	Tags         string   `yaml:"tags"`
	DisplayName  string   `yaml:"displayName"`
	Description  string   `yaml:"description"`
	Params       []Named  `yaml:"params"`
	Workspaces   []Named  `yaml:"workspaces"`
	Results      []Result `yaml:"results"`
	StepsComment string   `yaml:"stepsComment"`
	Steps        []Named  `yaml:"steps"`
}

// Named is a list entry that is a name, or a one-key map of a name to
// what this Task changes of the shared definition (decoded later, into
// the definition's own type).
type Named struct {
	Name   string
	Change *yaml.Node
}

func (n *Named) UnmarshalYAML(v *yaml.Node) error {
	switch v.Kind {
	case yaml.ScalarNode:
		n.Name = v.Value
		return nil
	case yaml.MappingNode:
		if len(v.Content) == 2 {
			n.Name, n.Change = v.Content[0].Value, v.Content[1]
			return nil
		}
	}
	return fmt.Errorf("line %d: want a name or a map of one name to its changes", v.Line)
}

// Action is what the generator reads of a StepAction: its params and
// results, in order, and whether it has a script; and, for a step made of
// two (compose.go), what the container runs.
type Action struct {
	Params  []string
	Results []string
	Script  bool

	Defaults        map[string]any    // param -> default (a string or a list)
	ResultDocs      map[string]string // result -> description
	Image           string
	Command, Args   []string
	Env             [][2]string
	SecurityContext *yaml.Node
}

// readActions reads the StepActions under dir by metadata.name.
func readActions(dir string) (map[string]Action, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	out := map[string]Action{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var sa struct {
			Kind     string
			Metadata struct{ Name string }
			Spec     struct {
				Params []struct {
					Name    string
					Default any
				}
				Results []struct{ Name, Description string }
				Script  string
				Image   string
				Command []string
				Args    []string
				Env     []struct{ Name, Value string }
				Sec     yaml.Node `yaml:"securityContext"`
			}
		}
		if err := yaml.Unmarshal(data, &sa); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if sa.Kind != "StepAction" {
			continue
		}
		a := Action{Script: sa.Spec.Script != "", Defaults: map[string]any{}, ResultDocs: map[string]string{},
			Image: sa.Spec.Image, Command: sa.Spec.Command, Args: sa.Spec.Args, SecurityContext: &sa.Spec.Sec}
		for _, p := range sa.Spec.Params {
			a.Params = append(a.Params, p.Name)
			if p.Default != nil {
				a.Defaults[p.Name] = p.Default
			}
		}
		for _, r := range sa.Spec.Results {
			a.Results = append(a.Results, r.Name)
			a.ResultDocs[r.Name] = r.Description
		}
		for _, e := range sa.Spec.Env {
			a.Env = append(a.Env, [2]string{e.Name, e.Value})
		}
		out[sa.Metadata.Name] = a
	}
	return out, nil
}

// stepWorkspaces is a step's workspaces in the order written, each with
// the param that takes its path.
func (s Step) stepWorkspaces() ([][2]string, error) {
	if s.Workspaces.Kind == 0 {
		return nil, nil
	}
	if s.Workspaces.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: workspaces: want a map of workspace to param", s.Workspaces.Line)
	}
	var out [][2]string
	for i := 0; i+1 < len(s.Workspaces.Content); i += 2 {
		out = append(out, [2]string{s.Workspaces.Content[i].Value, s.Workspaces.Content[i+1].Value})
	}
	return out, nil
}

// merge is the shared step with a Task's changes: params replaced or
// added, some dropped, onError replaced when given.
func merge(shared Step, change *yaml.Node) (Step, error) {
	if change == nil {
		return shared, nil
	}
	var c struct {
		Params  map[string]any `yaml:"params"`
		Drop    []string       `yaml:"drop"`
		OnError *string        `yaml:"onError"`
		Then    *Named         `yaml:"then"`
		// Requests replaces the shared ones.
		Requests map[string]string `yaml:"requests"`
	}
	if err := change.Decode(&c); err != nil {
		return shared, err
	}
	for _, name := range c.Drop {
		if _, ok := shared.Params[name]; !ok {
			return shared, fmt.Errorf("drops %s, which it does not set", name)
		}
	}
	out := shared
	out.Params = map[string]any{}
	for k, v := range shared.Params {
		if !slices.Contains(c.Drop, k) {
			out.Params[k] = v
		}
	}
	for k, v := range c.Params {
		out.Params[k] = v
	}
	if c.OnError != nil {
		out.OnError = *c.OnError
	}
	out.Then = c.Then
	if c.Requests != nil {
		out.Requests = c.Requests
	}
	return out, nil
}

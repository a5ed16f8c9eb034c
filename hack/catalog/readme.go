package main

import (
	"fmt"
	"slices"
	"strings"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"sigs.k8s.io/yaml"

	"github.com/plumbline/plumbline/hack/tektoncheck"
)

// README renders an item's README: what it is, how to install it, its
// params, workspaces and results from the YAML, then the hand-written
// usage section.
func README(it Item, text []byte, version, usage string) (string, error) {
	// Tasks, Pipelines and StepActions name these fields alike, so one
	// shape reads them all (a Task's steps name its StepActions).
	var obj struct {
		Metadata struct {
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
		Spec struct {
			Description string                `json:"description"`
			Params      pipelinev1.ParamSpecs `json:"params"`
			Workspaces  []struct {
				Name, Description string
				Optional          bool
			} `json:"workspaces"`
			Results []struct{ Name, Description string } `json:"results"`
			Steps   []pipelinev1.Step                    `json:"steps"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(text, &obj); err != nil {
		return "", fmt.Errorf("%s: %w", it.Source, err)
	}
	description, params := obj.Spec.Description, obj.Spec.Params
	var workspaces [][3]string
	for _, w := range obj.Spec.Workspaces {
		workspaces = append(workspaces, [3]string{w.Name, yesNo(w.Optional), w.Description})
	}
	var results [][2]string
	for _, r := range obj.Spec.Results {
		results = append(results, [2]string{r.Name, r.Description})
	}
	a := obj.Metadata.Annotations
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", a["tekton.dev/displayName"], strings.TrimSpace(description))
	fmt.Fprintf(&b, "| | |\n|---|---|\n| %s | `%s` version %s |\n| Tekton Pipelines | %s or newer |\n| platforms | %s |\n| categories | %s |\n| tags | %s |\n\n",
		it.Kind, it.Name, version, a["tekton.dev/pipelines.minVersion"], a["tekton.dev/platforms"], a["tekton.dev/categories"], a["tekton.dev/tags"])
	fmt.Fprintf(&b, "## Install\n\n```\nkubectl apply -f https://raw.githubusercontent.com/plumbline/plumbline/v%s/catalog/%s/%s/%s/%s.yaml\n```\n\n", version, it.Kind, it.Name, version, it.Name)
	var actions []string
	for _, s := range obj.Spec.Steps {
		if n := tektoncheck.LocalRef(s.Ref); n != "" && !slices.Contains(actions, n) {
			actions = append(actions, n)
		}
	}
	if len(actions) > 0 {
		// A step that runs a StepAction by name finds it in the TaskRun's
		// namespace: it is installed with the Task, of the same release.
		b.WriteString("Its steps run these StepActions of the same release; install them first:\n\n```\n")
		for _, a := range actions {
			fmt.Fprintf(&b, "kubectl apply -f https://raw.githubusercontent.com/plumbline/plumbline/v%s/catalog/stepaction/%s/%s/%s.yaml\n", version, a, version, a)
		}
		b.WriteString("```\n\n")
	}
	b.WriteString("Or reference it without installing: see [catalog/README.md](../../../README.md) for the git, http and bundles resolvers.\n\n")
	if len(params) > 0 {
		b.WriteString("## Parameters\n\n| name | type | default | description |\n|---|---|---|---|\n")
		for _, p := range params {
			def := "(required)"
			if p.Default != nil {
				def = "`" + cell(defaultString(p.Default)) + "`"
				if def == "``" {
					def = "empty" // not set here: the repository's .plumbline.yaml or the check's default
				}
			}
			typ := string(p.Type)
			if typ == "" {
				typ = "string"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", p.Name, typ, def, cell(p.Description))
		}
		b.WriteString("\n")
	}
	if len(workspaces) > 0 {
		b.WriteString("## Workspaces\n\n| name | optional | description |\n|---|---|---|\n")
		for _, w := range workspaces {
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", w[0], w[1], cell(w[2]))
		}
		b.WriteString("\n")
	}
	if len(results) > 0 {
		b.WriteString("## Results\n\n| name | description |\n|---|---|\n")
		for _, r := range results {
			fmt.Fprintf(&b, "| `%s` | %s |\n", r[0], cell(r[1]))
		}
		b.WriteString("\n")
	}
	b.WriteString("## Usage\n\n")
	b.WriteString(strings.TrimSpace(usage))
	b.WriteString("\n")
	return b.String(), nil
}

func defaultString(v *pipelinev1.ParamValue) string {
	switch v.Type {
	case pipelinev1.ParamTypeArray:
		return "[" + strings.Join(v.ArrayVal, ", ") + "]"
	case pipelinev1.ParamTypeObject:
		return fmt.Sprint(v.ObjectVal)
	}
	return v.StringVal
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// cell keeps text inside one Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(s), "\n", " "), "|", "\\|")
}

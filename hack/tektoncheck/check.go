package tektoncheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	pipelinev1beta1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1beta1"
	"gopkg.in/yaml.v3"
	"knative.dev/pkg/apis"
)

// Problem is one thing wrong with one object.
type Problem struct {
	File string
	Line int
	Rule string
	Msg  string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", p.File, p.Line, p.Rule, p.Msg)
}

// Rule ids, one per check, so tests can show each one firing.
const (
	RuleYAML       = "yaml"
	RuleKind       = "kind"
	RuleTekton     = "tekton-validate"
	RuleMetadata   = "metadata"
	RuleKoPath     = "ko-path"
	RuleImage      = "image"
	RuleScriptVars = "script-vars"
	RuleNonRoot    = "non-root"
	RuleParams     = "params"
	RuleWiring     = "wiring"
	RuleWorkingDir = "working-dir"
	RuleSecretEnv  = "secret-env"
)

// Images says how a shipped image must be named: our sources name what ko
// builds, a release names what ko built, by digest.
type Images int

const (
	// KoBuilt: ko://github.com/plumbline/plumbline/images/<name>, a main
	// package under Checker.Root.
	KoBuilt Images = iota
	// Pinned: REPO@sha256:…, and no ko:// left anywhere.
	Pinned
)

// Checker checks files of Tekton and Triggers objects.
type Checker struct {
	// Root is the repository; File names problems relative to it, and
	// KoBuilt references must name a main package under it.
	Root   string
	Images Images
	// Tasks are what Pipelines name in taskRef, StepActions what steps
	// name in ref (Load).
	Tasks       map[string]*pipelinev1.Task
	StepActions map[string]*pipelinev1beta1.StepAction
}

// doc is one YAML document of a file.
type doc struct {
	file string
	line int
	json []byte
	meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
}

// File checks every document in one file. An error means the file could
// not be read; everything wrong inside it is a Problem.
func (c *Checker) File(path string) ([]Problem, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	name, err := filepath.Rel(c.Root, path)
	if err != nil {
		name = path
	}
	docs, p := split(name, data)
	if p != nil {
		return []Problem{*p}, nil
	}
	var problems []Problem
	for _, d := range docs {
		problems = append(problems, c.doc(d)...)
	}
	return problems, nil
}

// Objects decodes every document of a file into its Tekton, Triggers or
// Kubernetes type, unchecked; the catalog reads names and labels from them.
func Objects(path string) ([]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	docs, p := split(path, data)
	if p != nil {
		return nil, errors.New(p.String())
	}
	var objs []any
	for _, d := range docs {
		obj, p := decode(d)
		if p != nil {
			return nil, errors.New(p.String())
		}
		objs = append(objs, obj)
	}
	return objs, nil
}

var yamlLine = regexp.MustCompile(`line (\d+):`)

func split(name string, data []byte) ([]*doc, *Problem) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*doc
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			line := 1
			if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
				line, _ = strconv.Atoi(m[1])
			}
			return nil, &Problem{File: name, Line: line, Rule: RuleYAML, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, &Problem{File: name, Line: n.Line, Rule: RuleYAML, Msg: err.Error()}
		}
		if v == nil {
			continue // an empty document between separators
		}
		j, err := json.Marshal(v)
		if err != nil {
			return nil, &Problem{File: name, Line: n.Line, Rule: RuleYAML, Msg: err.Error()}
		}
		d := &doc{file: name, line: n.Line, json: j}
		if err := json.Unmarshal(j, &d.meta); err != nil {
			return nil, &Problem{File: name, Line: n.Line, Rule: RuleYAML, Msg: "not a Kubernetes object: " + err.Error()}
		}
		docs = append(docs, d)
	}
}

// object is what every Tekton and Triggers type offers the webhooks.
type object interface {
	apis.Defaultable
	apis.Validatable
}

// decode is kubectl's strict field validation: an unknown field is an
// error, not silently dropped.
func decode(d *doc) (any, *Problem) {
	kind := d.meta.APIVersion + "/" + d.meta.Kind
	mk, ok := kinds[kind]
	if !ok {
		return nil, &Problem{File: d.file, Line: d.line, Rule: RuleKind, Msg: fmt.Sprintf("unsupported object %s (known: %s)", kind, strings.Join(knownKinds(), ", "))}
	}
	obj := mk()
	dec := json.NewDecoder(bytes.NewReader(d.json))
	dec.DisallowUnknownFields()
	if err := dec.Decode(obj); err != nil {
		return nil, &Problem{File: d.file, Line: d.line, Rule: RuleTekton, Msg: fmt.Sprintf("decode %s: %v", kind, err)}
	}
	return obj, nil
}

func (c *Checker) doc(d *doc) []Problem {
	obj, p := decode(d)
	if p != nil {
		return []Problem{*p}
	}
	// generateName is how runs are created (kubectl create, the
	// TriggerTemplate); the API server names the object before validation.
	if m, ok := obj.(interface {
		GetName() string
		GetGenerateName() string
		SetName(string)
	}); ok && m.GetName() == "" && m.GetGenerateName() != "" {
		m.SetName(m.GetGenerateName() + "x0000")
	}
	problems := schemaProblems(d)
	if o, ok := obj.(object); ok {
		ctx := apis.WithinCreate(context.Background())
		o.SetDefaults(ctx)
		if err := o.Validate(ctx); err != nil {
			for _, e := range strings.Split(strings.TrimSpace(err.Error()), "\n") {
				problems = append(problems, Problem{Rule: RuleTekton, Msg: e})
			}
		}
	}
	problems = append(problems, c.rules(obj)...)
	for i := range problems {
		problems[i].File, problems[i].Line = d.file, d.line
	}
	return problems
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
	"knative.dev/pkg/apis"
)

// Dirs holds the YAML we ship and therefore validate.
var Dirs = []string{"tasks", "pipelines", "triggers"}

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
	RuleKoConfig   = "ko-config"
)

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

// Check validates the shipped YAML under root and .ko.yaml.
func Check(root string) ([]Problem, error) {
	var problems []Problem
	files, err := yamlFiles(root)
	if err != nil {
		return nil, err
	}
	tasks, err := loadTasks(root)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		ps, err := checkFile(env{root: root, tasks: tasks}, f)
		if err != nil {
			return nil, err
		}
		problems = append(problems, ps...)
	}
	ko, err := checkKoConfig(root)
	if err != nil {
		return nil, err
	}
	return append(problems, ko...), nil
}

func yamlFiles(root string) ([]string, error) {
	var files []string
	for _, dir := range Dirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(files)
	return files, nil
}

// CheckFile validates every document in one file; root is where images/
// and tasks/ live.
func CheckFile(root, path string) ([]Problem, error) {
	tasks, err := loadTasks(root)
	if err != nil {
		return nil, err
	}
	return checkFile(env{root: root, tasks: tasks}, path)
}

func checkFile(e env, path string) ([]Problem, error) {
	root := e.root
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	name, _ := filepath.Rel(root, path)
	docs, err := split(name, data)
	if err != nil {
		var p Problem
		if errors.As(err, &p) {
			return []Problem{p}, nil
		}
		return nil, err
	}
	var problems []Problem
	for _, d := range docs {
		problems = append(problems, checkDoc(e, d)...)
	}
	return problems, nil
}

func (p Problem) Error() string { return p.String() }

var yamlLine = regexp.MustCompile(`line (\d+):`)

func split(name string, data []byte) ([]*doc, error) {
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
			return nil, Problem{File: name, Line: line, Rule: RuleYAML, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, Problem{File: name, Line: n.Line, Rule: RuleYAML, Msg: err.Error()}
		}
		if v == nil {
			continue // an empty document between separators
		}
		j, err := json.Marshal(v)
		if err != nil {
			return nil, Problem{File: name, Line: n.Line, Rule: RuleYAML, Msg: err.Error()}
		}
		d := &doc{file: name, line: n.Line, json: j}
		if err := json.Unmarshal(j, &d.meta); err != nil {
			return nil, Problem{File: name, Line: n.Line, Rule: RuleYAML, Msg: "not a Kubernetes object: " + err.Error()}
		}
		docs = append(docs, d)
	}
}

// object is what every Tekton and Triggers type offers the webhooks.
type object interface {
	apis.Defaultable
	apis.Validatable
}

func checkDoc(e env, d *doc) []Problem {
	problem := func(rule, format string, args ...any) Problem {
		return Problem{File: d.file, Line: d.line, Rule: rule, Msg: fmt.Sprintf(format, args...)}
	}
	kind := d.meta.APIVersion + "/" + d.meta.Kind
	mk, ok := kinds[kind]
	if !ok {
		return []Problem{problem(RuleKind, "unsupported object %s (known: %s)", kind, strings.Join(knownKinds(), ", "))}
	}
	obj := mk()
	dec := json.NewDecoder(bytes.NewReader(d.json))
	dec.DisallowUnknownFields() // kubectl's default field validation is strict
	if err := dec.Decode(obj); err != nil {
		return []Problem{problem(RuleTekton, "decode %s: %v", kind, err)}
	}
	// generateName is how PipelineRuns are created (kubectl create, the
	// TriggerTemplate); the API server names the object before validation.
	if m, ok := obj.(interface {
		GetName() string
		GetGenerateName() string
		SetName(string)
	}); ok && m.GetName() == "" && m.GetGenerateName() != "" {
		m.SetName(m.GetGenerateName() + "x0000")
	}
	var problems []Problem
	if o, ok := obj.(object); ok {
		ctx := apis.WithinCreate(context.Background())
		o.SetDefaults(ctx)
		if err := o.Validate(ctx); err != nil {
			for _, e := range strings.Split(strings.TrimSpace(err.Error()), "\n") {
				problems = append(problems, problem(RuleTekton, "%s", e))
			}
		}
	}
	if rules, ok := ourRules[kind]; ok {
		for _, p := range rules(e, obj) {
			p.File, p.Line = d.file, d.line
			problems = append(problems, p)
		}
	}
	return problems
}

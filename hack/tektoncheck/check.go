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
	"k8s.io/apimachinery/pkg/runtime"
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
	// Files are the files read and decoded (nil: a set of its own).
	Files *Files
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

// Files reads each file once and decodes each of its documents once into
// its Tekton, Triggers or Kubernetes type: the wiring index (Load), the
// checks (Checker.File) and the catalog's reads (Objects) all ask it.
type Files struct {
	byPath map[string]*decoded
}

// decoded is one file as Files holds it.
type decoded struct {
	err   error    // not read
	split *Problem // not YAML
	docs  []*doc
	objs  []any      // per document; nil where it does not decode
	probs []*Problem // per document: why it does not
}

// NewFiles is an empty set.
func NewFiles() *Files { return &Files{byPath: map[string]*decoded{}} }

func (f *Files) get(path string) *decoded {
	if d, ok := f.byPath[path]; ok {
		return d
	}
	d := &decoded{}
	f.byPath[path] = d
	data, err := os.ReadFile(path)
	if err != nil {
		d.err = err
		return d
	}
	if d.docs, d.split = split(path, data); d.split != nil {
		return d
	}
	for _, doc := range d.docs {
		obj, p := decode(doc)
		d.objs, d.probs = append(d.objs, obj), append(d.probs, p)
	}
	return d
}

// Objects is every document of a file in its type, unchecked and not to
// be changed (they are shared); the catalog reads names and labels from
// them.
func (f *Files) Objects(path string) ([]any, error) {
	d := f.get(path)
	switch {
	case d.err != nil:
		return nil, d.err
	case d.split != nil:
		return nil, errors.New(d.split.String())
	}
	for _, p := range d.probs {
		if p != nil {
			return nil, errors.New(p.String())
		}
	}
	return d.objs, nil
}

func (c *Checker) files() *Files {
	if c.Files == nil {
		c.Files = NewFiles()
	}
	return c.Files
}

// File checks every document in one file. An error means the file could
// not be read; everything wrong inside it is a Problem.
func (c *Checker) File(path string) ([]Problem, error) {
	d := c.files().get(path)
	if d.err != nil {
		return nil, d.err
	}
	name, err := filepath.Rel(c.Root, path)
	if err != nil {
		name = path
	}
	if d.split != nil {
		p := *d.split
		p.File = name
		return []Problem{p}, nil
	}
	var problems []Problem
	for i, doc := range d.docs {
		if d.probs[i] != nil {
			p := *d.probs[i]
			p.File = name
			problems = append(problems, p)
			continue
		}
		named := *doc
		named.file = name
		// Validation defaults and names the object: a copy, so what Load
		// indexed stays as written.
		problems = append(problems, c.doc(&named, d.objs[i].(runtime.Object).DeepCopyObject())...)
	}
	return problems, nil
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

// check decodes d and checks it: a document not from a file (a run
// template in a ConfigMap).
func (c *Checker) check(d *doc) []Problem {
	obj, p := decode(d)
	if p != nil {
		return []Problem{*p}
	}
	return c.doc(d, obj)
}

// doc checks d, decoded as obj (which it defaults and names).
func (c *Checker) doc(d *doc, obj any) []Problem {
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

package tekton

import (
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/pkg/ynode"

	"github.com/plumbline/plumbline/pipelines"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tree"
	"github.com/plumbline/plumbline/stepactions"
	"github.com/plumbline/plumbline/tasks"
)

// Rule ids.
const (
	RuleImageLatest      = "tekton/image-latest"
	RuleImageNoDigest    = "tekton/image-no-digest"
	RuleRefMissing       = "tekton/ref-missing"
	RuleParamMissing     = "tekton/param-missing"
	RuleParamUnknown     = "tekton/param-unknown"
	RuleWorkspaceUnbound = "tekton/workspace-unbound"
	RuleWorkspaceUnknown = "tekton/workspace-unknown"
)

const helpBase = "https://github.com/plumbline/plumbline/blob/main/docs/rules/tekton.md#"

// MaxFileSize bounds each YAML file read.
const MaxFileSize = 2 << 20

// Repo gathers the Tekton resources of a repository.
type Repo struct {
	docs []doc
	// declared Tasks, Pipelines and StepActions by name
	decls map[string]map[string]*decl
	out   []report.Finding
}

// File reads every Tekton document of a YAML file, and the PipelineRuns
// and TaskRuns of a Triggers TriggerTemplate's resourcetemplates. A file
// that does not parse stops at its first bad document (the policy check
// reports it).
func (r *Repo) File(name string, data []byte) {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	for {
		var n yaml.Node
		if dec.Decode(&n) != nil {
			return
		}
		if n.Kind != yaml.DocumentNode || len(n.Content) == 0 {
			continue
		}
		r.add(name, n.Content[0], false)
	}
}

func (r *Repo) add(file string, top *yaml.Node, ours bool) {
	api, kind := scalar(ynode.Value(top, "apiVersion")), scalar(ynode.Value(top, "kind"))
	if kind == "TriggerTemplate" && strings.HasPrefix(api, "triggers.tekton.dev/") {
		for _, t := range items(path(top, "spec", "resourcetemplates")) {
			r.add(file, t, ours)
		}
		return
	}
	if !isTekton(api) {
		return
	}
	name := scalar(path(top, "metadata", "name"))
	if name == "" {
		name = scalar(path(top, "metadata", "generateName"))
	}
	switch kind {
	case "Task", "Pipeline", "StepAction":
		if r.decls == nil {
			r.decls = map[string]map[string]*decl{}
		}
		if r.decls[kind] == nil {
			r.decls[kind] = map[string]*decl{}
		}
		d := declare(kind, ynode.Value(top, "spec"), file, top.Line)
		d.ours = ours
		if _, dup := r.decls[kind][name]; !dup || !ours {
			r.decls[kind][name] = d
		}
	}
	if !ours {
		switch kind {
		case "Task", "Pipeline", "StepAction", "PipelineRun", "TaskRun":
			r.docs = append(r.docs, doc{kind: kind, name: name, file: file, node: top})
		}
	}
}

// plumbline are Plumbline's own Tasks, Pipelines and StepActions, read
// once from the YAML compiled in.
var plumbline = sync.OnceValue(func() *Repo {
	r := &Repo{}
	for _, fsys := range []fs.FS{tasks.FS, pipelines.FS, stepactions.FS} {
		names, _ := fs.Glob(fsys, "*.yaml")
		for _, n := range names {
			data, err := fs.ReadFile(fsys, n)
			if err != nil {
				continue
			}
			dec := yaml.NewDecoder(strings.NewReader(string(data)))
			for {
				var d yaml.Node
				if dec.Decode(&d) != nil || d.Kind != yaml.DocumentNode || len(d.Content) == 0 {
					break
				}
				r.add(n, d.Content[0], true)
			}
		}
	}
	return r
})

// lookup finds a declared kind by name: the repository's, else ours.
func (r *Repo) lookup(kind, name string) *decl {
	if d := r.decls[kind][name]; d != nil {
		return d
	}
	return plumbline().decls[kind][name]
}

func (r *Repo) add1(rule string, sev report.Severity, file string, line int, format string, args ...any) {
	r.out = append(r.out, report.Finding{Rule: rule, Severity: sev, File: file, Line: line,
		Help: helpBase + strings.TrimPrefix(rule, "tekton/"), Message: fmt.Sprintf(format, args...)})
}

// Findings checks every document read.
func (r *Repo) Findings() []report.Finding {
	r.out = nil
	for _, d := range r.docs {
		spec := ynode.Value(d.node, "spec")
		what := d.kind + "/" + d.name
		switch d.kind {
		case "Task":
			r.task(d.file, what, spec)
		case "StepAction":
			r.image(d.file, what, ynode.Value(spec, "image"))
		case "Pipeline":
			r.pipeline(d.file, what, spec)
		case "PipelineRun":
			r.run(d.file, what, spec, "Pipeline", "pipelineRef", "pipelineSpec")
		case "TaskRun":
			r.run(d.file, what, spec, "Task", "taskRef", "taskSpec")
		}
	}
	return r.out
}

// task checks a Task's spec (a Task, or one embedded).
func (r *Repo) task(file, what string, spec *yaml.Node) {
	for _, list := range []string{"steps", "sidecars"} {
		for _, s := range items(ynode.Value(spec, list)) {
			if ref := ynode.Value(s, "ref"); ref != nil {
				r.ref(file, what, ref, "StepAction")
				continue
			}
			r.image(file, what+" "+list[:len(list)-1]+" "+scalar(ynode.Value(s, "name")), ynode.Value(s, "image"))
		}
	}
	r.image(file, what+" stepTemplate", path(spec, "stepTemplate", "image"))
}

var digest = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)

// image checks one image reference.
func (r *Repo) image(file, what string, n *yaml.Node) {
	img := strings.TrimSpace(scalar(n))
	if img == "" || strings.Contains(img, "$(") || digest.MatchString(img) {
		return
	}
	name := img[strings.LastIndex(img, "/")+1:]
	_, tag, tagged := strings.Cut(name, ":")
	if !tagged || tag == "latest" {
		r.add1(RuleImageLatest, report.Error, file, n.Line, "%s runs %s: :latest (or no tag) is whatever was pushed last, so the same run gives another result tomorrow; pin it by digest (image@sha256:…)", what, img)
		return
	}
	r.add1(RuleImageNoDigest, report.Warning, file, n.Line, "%s runs %s by tag only: a tag can be moved to other content; pin it by digest (%s@sha256:…)", what, img, img)
}

// ref resolves a taskRef, pipelineRef or step ref to what it names; nil
// when it is not judged here (a resolver, a bundle, a cluster kind, a
// name made of params) or does not exist (a finding).
func (r *Repo) ref(file, what string, ref *yaml.Node, kind string) *decl {
	name := ynode.Value(ref, "name")
	if name == nil || ynode.Value(ref, "resolver") != nil || ynode.Value(ref, "bundle") != nil || ynode.Value(ref, "apiVersion") != nil {
		return nil
	}
	if k := scalar(ynode.Value(ref, "kind")); k != "" && k != kind {
		return nil // ClusterTask, a custom task
	}
	if strings.Contains(name.Value, "$(") {
		return nil
	}
	if d := r.lookup(kind, name.Value); d != nil {
		return d
	}
	r.add1(RuleRefMissing, report.Error, file, name.Line, "%s refers to %s %q, which is neither in this repository nor one of Plumbline's (%s): the run fails with \"not found\"; add it, fix the name, or use a resolver (git, hub, bundles)", what, kind, name.Value, strings.Join(slices.Sorted(maps.Keys(plumbline().decls[kind])), ", "))
	return nil
}

// pipeline checks a Pipeline's spec: its tasks and finally.
func (r *Repo) pipeline(file, what string, spec *yaml.Node) {
	own := declare("Pipeline", spec, file, 0)
	for _, list := range []string{"tasks", "finally"} {
		for _, pt := range items(ynode.Value(spec, list)) {
			ptName := what + " task " + scalar(ynode.Value(pt, "name"))
			var d *decl
			if ts := ynode.Value(pt, "taskSpec"); ts != nil {
				r.task(file, ptName, ts)
				d = declare("Task", ts, file, ts.Line)
				// Embedded specs receive the Pipeline's params (Tekton's
				// propagated parameters): one of the same name counts.
				for p := range own.params {
					if _, ok := d.params[p]; ok {
						d.params[p] = true
					}
				}
			} else if ref := ynode.Value(pt, "taskRef"); ref != nil {
				d = r.ref(file, ptName, ref, "Task")
			}
			for _, w := range items(ynode.Value(pt, "workspaces")) {
				if ws := ynode.Value(w, "workspace"); ws != nil && !strings.Contains(ws.Value, "$(") {
					if _, ok := own.workspaces[ws.Value]; !ok {
						r.add1(RuleWorkspaceUnknown, report.Error, file, ws.Line, "%s binds the Pipeline's workspace %q, which the Pipeline does not declare (Tekton refuses the Pipeline)", ptName, ws.Value)
					}
				}
			}
			if d != nil {
				r.agree(file, ptName, pt, d)
			}
		}
	}
}

// run checks a PipelineRun or TaskRun against what it runs.
func (r *Repo) run(file, what string, spec *yaml.Node, kind, refKey, specKey string) {
	var d *decl
	if s := ynode.Value(spec, specKey); s != nil {
		if kind == "Pipeline" {
			r.pipeline(file, what, s)
		} else {
			r.task(file, what, s)
		}
		d = declare(kind, s, file, s.Line)
	} else if ref := ynode.Value(spec, refKey); ref != nil {
		d = r.ref(file, what, ref, kind)
	}
	if d != nil {
		r.agree(file, what, spec, d)
	}
}

// agree checks the params and workspaces n (a pipeline task, a run's
// spec) gives against what d declares.
func (r *Repo) agree(file, what string, n *yaml.Node, d *decl) {
	target := d.kind
	if d.ours {
		target += " (Plumbline's)"
	}
	passed := map[string]bool{}
	for _, p := range items(ynode.Value(n, "params")) {
		pn := ynode.Value(p, "name")
		if pn == nil {
			continue
		}
		passed[pn.Value] = true
		if _, ok := d.params[pn.Value]; !ok {
			r.add1(RuleParamUnknown, report.Warning, file, pn.Line, "%s passes param %q, which the %s does not declare: Tekton ignores it, so the value meant for it goes nowhere (a typo?); it declares %s", what, pn.Value, target, list(d.params))
		}
	}
	line := n.Line
	for _, name := range slices.Sorted(maps.Keys(d.params)) {
		if !d.params[name] && !passed[name] {
			r.add1(RuleParamMissing, report.Error, file, line, "%s does not pass param %q, which the %s requires (no default): the run fails with \"missing parameters\"", what, name, target)
		}
	}
	bound := map[string]bool{}
	for _, w := range items(ynode.Value(n, "workspaces")) {
		wn := ynode.Value(w, "name")
		if wn == nil {
			continue
		}
		bound[wn.Value] = true
		if _, ok := d.workspaces[wn.Value]; !ok {
			r.add1(RuleWorkspaceUnknown, report.Error, file, wn.Line, "%s binds workspace %q, which the %s does not declare; it declares %s", what, wn.Value, target, list(d.workspaces))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(d.workspaces)) {
		if !d.workspaces[name] && !bound[name] {
			r.add1(RuleWorkspaceUnbound, report.Error, file, line, "%s does not bind workspace %q, which the %s requires (not optional): the run fails before it starts", what, name, target)
		}
	}
}

func list(m map[string]bool) string {
	if len(m) == 0 {
		return "none"
	}
	return strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}

// Tree checks the Tekton YAML of every YAML file under paths.
func Tree(walk *tree.Walk, paths []string, ignore *regexp.Regexp) ([]report.Finding, int, error) {
	r := &Repo{}
	for _, p := range paths {
		rd, err := tree.NewReader(tree.Root(p))
		if err != nil {
			return nil, 0, err
		}
		files, err := walk.Files(p, ignore)
		if err != nil {
			rd.Close()
			return nil, 0, err
		}
		for _, f := range files {
			if ext := strings.ToLower(f[strings.LastIndex(f, ".")+1:]); ext != "yaml" && ext != "yml" {
				continue
			}
			data, err := rd.ReadFile(f, MaxFileSize)
			if err != nil || !strings.Contains(string(data), "tekton.dev/") {
				continue
			}
			name, _ := report.RelPath(f)
			r.File(name, data)
		}
		rd.Close()
	}
	return r.Findings(), len(r.docs), nil
}

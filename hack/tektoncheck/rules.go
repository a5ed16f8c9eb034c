package tektoncheck

import (
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	pipelinev1beta1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1beta1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Module is our Go module; ko:// references must point into its images/.
const Module = "github.com/plumbline/plumbline"

// Platforms is what every Task promises and .ko.yaml builds.
const Platforms = "linux/amd64,linux/arm64"

// rules are Plumbline's own, on top of Tekton's validation. A rule written
// here applies to tasks/, pipelines/, triggers/ and every released catalog
// file alike.
func (c *Checker) rules(obj any) []Problem {
	var ps []Problem
	ps = append(ps, secretEnv(obj)...)
	switch o := obj.(type) {
	case *pipelinev1.Task:
		ps = append(ps, metadata(o.ObjectMeta, o.Spec.Description)...)
		ctrs := c.taskContainers(o)
		ps = append(ps, c.images(obj, ctrs)...)
		ps = append(ps, scriptVars(ctrs)...)
		ps = append(ps, nonRoot(ctrs)...)
		ps = append(ps, params(declared(o.Spec.Params), o.Spec)...)
		ps = append(ps, stepWiring(o, c.StepActions)...)
	case *pipelinev1beta1.StepAction:
		ctrs := []container{{where: "stepaction " + o.Name, image: o.Spec.Image, script: o.Spec.Script, sc: o.Spec.SecurityContext, params: o.Spec.Params}}
		ps = append(ps, metadata(o.ObjectMeta, o.Spec.Description)...)
		ps = append(ps, c.images(obj, ctrs)...)
		ps = append(ps, scriptVars(ctrs)...)
		ps = append(ps, nonRoot(ctrs)...)
		ps = append(ps, params(declared(o.Spec.Params), o.Spec)...)
		// Tekton's working-dir-initializer creates every step's workingDir
		// before the first step runs, as a user of its own: a StepAction
		// whose workingDir is a directory an earlier step (a fetch) must
		// create and write would find it there and not writable. Ours pass
		// the directory to the binary (--chdir) instead.
		if o.Spec.WorkingDir != "" {
			ps = append(ps, rule(RuleWorkingDir, "stepaction %s: workingDir %q; pass the directory as an argument (--chdir) instead", o.Name, o.Spec.WorkingDir))
		}
	case *pipelinev1.Pipeline:
		ps = append(ps, metadata(o.ObjectMeta, o.Spec.Description)...)
		ps = append(ps, c.images(obj, nil)...)
		ps = append(ps, pipelineParams(o)...)
		ps = append(ps, wiring(o, c.Tasks)...)
	case *pipelinev1.TaskRun:
		// A run we ship (the schedule's template) of one of our Tasks:
		// its params and workspaces as the Task declares them.
		if o.Spec.TaskRef != nil {
			if t := c.Tasks[o.Spec.TaskRef.Name]; t != nil {
				where := "taskrun " + o.Name
				ps = append(ps, paramWiring(where, "task "+t.Name, o.Spec.Params, t.Spec.Params)...)
				for _, w := range o.Spec.Workspaces {
					if !slices.ContainsFunc(t.Spec.Workspaces, func(d pipelinev1.WorkspaceDeclaration) bool { return d.Name == w.Name }) {
						ps = append(ps, rule(RuleWiring, "%s: task %s has no workspace %s", where, t.Name, w.Name))
					}
				}
			}
		}
	case *corev1.ConfigMap:
		// A run template kept in a ConfigMap (schedules/) is checked as
		// the run it is.
		for _, key := range slices.Sorted(maps.Keys(o.Data)) {
			if !strings.Contains(o.Data[key], "apiVersion: tekton.dev/") {
				continue
			}
			docs, p := split("configmap "+o.Name+" "+key, []byte(o.Data[key]))
			if p != nil {
				ps = append(ps, *p)
				continue
			}
			for _, d := range docs {
				for _, q := range c.check(d) {
					q.Msg = "configmap " + o.Name + " key " + key + ": " + q.Msg
					ps = append(ps, q)
				}
			}
		}
	}
	return ps
}

// container is what the rules look at in a step, a sidecar or a
// StepAction: what it runs, and as whom.
type container struct {
	where   string
	image   string
	script  string // shell source: a script, or a shell's -c argument
	sc      *corev1.SecurityContext
	ref     bool // a step that runs a StepAction: the StepAction has the image
	sidecar bool // left to its author: none ship, and they need not be ours
	params  pipelinev1.ParamSpecs
}

// taskContainers are t's steps and sidecars. A step that runs one of our
// StepActions runs as the StepAction says, unless the step says otherwise
// (Tekton lets the step's securityContext win).
func (c *Checker) taskContainers(t *pipelinev1.Task) []container {
	var tmpl *corev1.SecurityContext
	if t.Spec.StepTemplate != nil {
		tmpl = t.Spec.StepTemplate.SecurityContext
	}
	var cs []container
	for _, s := range t.Spec.Steps {
		sc := s.SecurityContext
		if a, ok := c.StepActions[LocalRef(s.Ref)]; ok && sc == nil {
			sc = a.Spec.SecurityContext
		}
		if sc == nil {
			sc = tmpl
		}
		cs = append(cs, container{where: "step " + s.Name, image: s.Image, script: shellSource(s.Script, s.Command, s.Args), sc: sc, ref: s.Ref != nil, params: t.Spec.Params})
	}
	for _, s := range t.Spec.Sidecars {
		cs = append(cs, container{where: "sidecar " + s.Name, image: s.Image, script: shellSource(s.Script, s.Command, s.Args), sc: s.SecurityContext, sidecar: true})
	}
	return cs
}

// LocalRef is the StepAction a step runs by name from its own namespace
// (what stepactions/ and a release's catalog hold), "" for none or one a
// resolver fetches.
func LocalRef(r *pipelinev1.Ref) string {
	if r == nil || r.Resolver != "" {
		return ""
	}
	return r.Name
}

func rule(id, format string, args ...any) Problem {
	return Problem{Rule: id, Msg: fmt.Sprintf(format, args...)}
}

// Categories are Tekton Hub's (tektoncd/hub config.yaml).
var Categories = []string{
	"Automation", "Build Tools", "CLI", "Cloud", "Code Quality", "Continuous Integration", "Deployment",
	"Developer Tools", "Image Build", "Integration & Delivery", "Git", "Kubernetes", "Messaging",
	"Monitoring", "Networking", "Openshift", "Publishing", "Security", "Storage", "Testing",
}

// metadata wants what Tekton Hub and Artifact Hub show users, on every
// Task, Pipeline and StepAction.
func metadata(m metav1.ObjectMeta, description string) []Problem {
	var ps []Problem
	if m.Labels["app.kubernetes.io/version"] == "" {
		ps = append(ps, rule(RuleMetadata, "label app.kubernetes.io/version is missing"))
	}
	for _, a := range []string{"tekton.dev/pipelines.minVersion", "tekton.dev/categories", "tekton.dev/tags", "tekton.dev/displayName", "tekton.dev/platforms"} {
		if strings.TrimSpace(m.Annotations[a]) == "" {
			ps = append(ps, rule(RuleMetadata, "annotation %s is missing", a))
		}
	}
	if p := m.Annotations["tekton.dev/platforms"]; p != "" && p != Platforms {
		ps = append(ps, rule(RuleMetadata, "annotation tekton.dev/platforms is %q, want %q", p, Platforms))
	}
	for _, c := range strings.Split(m.Annotations["tekton.dev/categories"], ",") {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(Categories, c) {
			ps = append(ps, rule(RuleMetadata, "category %q is not one of Tekton Hub's", c))
		}
	}
	if strings.TrimSpace(description) == "" {
		ps = append(ps, rule(RuleMetadata, "spec.description is missing"))
	}
	return ps
}

// images: with KoBuilt, every ko:// reference anywhere in the object (ko
// resolve rewrites them all) names a main package under images/, and each
// step image is one, or an image param (so users can point at a mirror)
// defaulting to one. With Pinned, each step image (or its param's default)
// is pinned by digest and no ko:// is left.
func (c *Checker) images(obj any, ctrs []container) []Problem {
	var ps []Problem
	for _, ref := range koRefs(obj) {
		if c.Images == Pinned {
			ps = append(ps, rule(RuleImage, "%s: an unresolved ko:// reference", ref))
			continue
		}
		rel, ok := strings.CutPrefix(ref, "ko://"+Module+"/")
		if !ok || !strings.HasPrefix(rel, "images/") || strings.Count(rel, "/") != 1 {
			ps = append(ps, rule(RuleKoPath, "%s is not ko://%s/images/<name>", ref, Module))
			continue
		}
		if !MainPackage(filepath.Join(c.Root, rel)) {
			ps = append(ps, rule(RuleKoPath, "%s: no main package in %s", ref, rel))
		}
	}
	for _, ct := range ctrs {
		if ct.ref || ct.sidecar {
			continue
		}
		img := ct.image
		if m := paramRef.FindStringSubmatch(img); m != nil {
			img = ""
			for _, p := range ct.params {
				if p.Name == m[1] && p.Default != nil {
					img = p.Default.StringVal
				}
			}
		}
		switch {
		case slices.ContainsFunc(Upstream, func(prefix string) bool { return strings.HasPrefix(img, prefix) }):
		case c.Images == KoBuilt && !strings.HasPrefix(img, "ko://"):
			ps = append(ps, rule(RuleImage, "%s: image %q is neither ko:// nor a param defaulting to ko://", ct.where, ct.image))
		case c.Images == Pinned && !strings.Contains(img, "@sha256:"):
			ps = append(ps, rule(RuleImage, "%s: image %q is not pinned by digest", ct.where, ct.image))
		}
	}
	return ps
}

func koRefs(obj any) []string {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil
	}
	var refs []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			if strings.HasPrefix(v, "ko://") {
				refs = append(refs, v)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	slices.Sort(refs)
	return refs
}

// MainPackage reports whether dir holds a Go main package.
func MainPackage(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, e.Name()), nil, parser.PackageClauseOnly)
		if err == nil && f.Name.Name == "main" {
			return true
		}
	}
	return false
}

// Upstream are the images we run but do not build: Tekton's git-init (the
// one tektoncd-catalog's git-clone runs), by its release tag, which the
// git-fetch StepAction's image param lets users pin or mirror.
var Upstream = []string{"gcr.io/tekton-releases/github.com/tektoncd/pipeline/cmd/git-init:"}

var paramRef = regexp.MustCompile(`^\$\(params\.([A-Za-z0-9_-]+)\)$`)

// shellSource is the shell source a container runs: its script, or the
// argument after -c when it runs a shell (sh -c, bash -c), which is as much
// source as a script is.
func shellSource(script string, command, args []string) string {
	if script != "" {
		return script
	}
	argv := append(slices.Clone(command), args...)
	if len(argv) == 0 {
		return ""
	}
	switch path.Base(argv[0]) {
	case "sh", "ash", "bash", "dash", "ksh", "zsh":
	default:
		return ""
	}
	for i, a := range argv[1:] {
		if a == "-c" && i+2 < len(argv) {
			return argv[i+2]
		}
	}
	return ""
}

// scriptVars: a $(params.x) inside a script is pasted into shell source,
// an injection waiting to happen; pass values through env or args.
func scriptVars(ctrs []container) []Problem {
	var ps []Problem
	for _, c := range ctrs {
		for _, v := range []string{"$(params.", "$(params[", "$(workspaces."} {
			if strings.Contains(c.script, v) {
				ps = append(ps, rule(RuleScriptVars, "%s: script uses %s…); pass it through env or args", c.where, v))
			}
		}
	}
	return ps
}

// nonRoot wants every step to run as a non-root user, from its own
// securityContext or the stepTemplate's.
func nonRoot(ctrs []container) []Problem {
	var ps []Problem
	for _, c := range ctrs {
		if c.sidecar || c.ref && c.sc == nil {
			continue // a StepAction from elsewhere: it says as whom it runs
		}
		switch sc := c.sc; {
		case sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot:
			ps = append(ps, rule(RuleNonRoot, "%s: securityContext.runAsNonRoot is not true", c.where))
		case sc.RunAsUser != nil || sc.RunAsGroup != nil:
			// A pinned UID beats the pod's, so a platform that assigns
			// UIDs (OpenShift's restricted SCC) would refuse the pod.
			ps = append(ps, rule(RuleNonRoot, "%s: securityContext pins a UID or GID; leave it to the image (65532) so a platform can assign one", c.where))
		}
	}
	return ps
}

// pipelineParams: a Pipeline's params, and each embedded taskSpec's own,
// which are a scope of their own (the pipeline task passes values in).
func pipelineParams(p *pipelinev1.Pipeline) []Problem {
	spec := p.Spec.DeepCopy()
	var ps []Problem
	for _, tasks := range [][]pipelinev1.PipelineTask{spec.Tasks, spec.Finally} {
		for i := range tasks {
			if ts := tasks[i].TaskSpec; ts != nil {
				for _, pr := range params(declared(ts.Params), ts.TaskSpec) {
					pr.Msg = "task " + tasks[i].Name + ": " + pr.Msg
					ps = append(ps, pr)
				}
				tasks[i].TaskSpec = nil
			}
		}
	}
	return append(ps, params(declared(spec.Params), *spec)...)
}

func declared(specs pipelinev1.ParamSpecs) []string {
	var names []string
	for _, p := range specs {
		names = append(names, p.Name)
	}
	return names
}

// $(params.name), $(params.name[*]), $(params.obj.key), $(params["name"]), $(params['name'])
var paramUse = regexp.MustCompile(`\$\(params(?:\.([A-Za-z0-9_-]+)|\[["']([^"']+)["']\])`)

// params wants every declared param used and every used param declared.
// Declarations themselves are left out of the search.
func params(names []string, spec any) []Problem {
	b, err := json.Marshal(spec)
	if err != nil {
		return []Problem{rule(RuleParams, "cannot encode spec: %v", err)}
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	delete(m, "params")
	b, _ = json.Marshal(m)
	used := map[string]bool{}
	for _, match := range paramUse.FindAllStringSubmatch(string(b), -1) {
		used[match[1]+match[2]] = true
	}
	var ps []Problem
	for _, n := range names {
		if !used[n] {
			ps = append(ps, rule(RuleParams, "param %s is declared but never used", n))
		}
		delete(used, n)
	}
	var undeclared []string
	for n := range used {
		undeclared = append(undeclared, n)
	}
	slices.Sort(undeclared)
	for _, n := range undeclared {
		ps = append(ps, rule(RuleParams, "param %s is used but not declared", n))
	}
	return ps
}

// secretEnv refuses a Secret in any step's environment: the code a check
// runs can read every variable of its step (the Tekton entrypoint, PID 1 of
// the container, is readable through /proc/1/environ), so a credential
// comes as a file in a workspace only its step mounts (docs/security.md).
func secretEnv(obj any) []Problem {
	var ps []Problem
	check := func(where string, env []corev1.EnvVar, from []corev1.EnvFromSource) {
		for _, e := range env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				ps = append(ps, rule(RuleSecretEnv, "%s: env %s comes from Secret %s; mount it as a file in a workspace of this step only", where, e.Name, e.ValueFrom.SecretKeyRef.Name))
			}
		}
		for _, f := range from {
			if f.SecretRef != nil {
				ps = append(ps, rule(RuleSecretEnv, "%s: envFrom Secret %s; mount it as a file in a workspace of this step only", where, f.SecretRef.Name))
			}
		}
	}
	taskSpec := func(where string, t *pipelinev1.TaskSpec) {
		if t == nil {
			return
		}
		if t.StepTemplate != nil {
			check(where+" stepTemplate", t.StepTemplate.Env, t.StepTemplate.EnvFrom)
		}
		for _, s := range t.Steps {
			check(where+" step "+s.Name, s.Env, s.EnvFrom)
		}
		for _, s := range t.Sidecars {
			check(where+" sidecar "+s.Name, s.Env, s.EnvFrom)
		}
	}
	switch o := obj.(type) {
	case *pipelinev1.Task:
		taskSpec("task "+o.Name, &o.Spec)
	case *pipelinev1beta1.StepAction:
		check("stepaction "+o.Name, o.Spec.Env, nil)
	case *pipelinev1.Pipeline:
		for _, pt := range append(slices.Clone(o.Spec.Tasks), o.Spec.Finally...) {
			if pt.TaskSpec != nil {
				taskSpec("pipeline "+o.Name+" task "+pt.Name, &pt.TaskSpec.TaskSpec)
			}
		}
	}
	return ps
}

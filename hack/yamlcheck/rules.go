package main

import (
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
)

// Module is our Go module; ko:// references must point into its images/.
const Module = "github.com/plumbline/plumbline"

// Platforms is what every Task promises and .ko.yaml builds.
const Platforms = "linux/amd64,linux/arm64"

// env is what the rules may look at besides the object.
type env struct {
	root  string
	tasks map[string]*pipelinev1.Task // tasks/ by name, for pipeline wiring
}

var ourRules = map[string]func(e env, obj any) []Problem{
	"tekton.dev/v1/Task": func(e env, obj any) []Problem {
		root := e.root
		t := obj.(*pipelinev1.Task)
		var ps []Problem
		ps = append(ps, taskMetadata(t)...)
		ps = append(ps, koPaths(root, obj)...)
		ps = append(ps, stepImages(t)...)
		ps = append(ps, scriptVars(t)...)
		ps = append(ps, nonRoot(t)...)
		ps = append(ps, params(declared(t.Spec.Params), t.Spec)...)
		return ps
	},
	"tekton.dev/v1/Pipeline": func(e env, obj any) []Problem {
		p := obj.(*pipelinev1.Pipeline)
		ps := append(koPaths(e.root, obj), params(declared(p.Spec.Params), p.Spec)...)
		return append(ps, wiring(p, e.tasks)...)
	},
}

func rule(id, format string, args ...any) Problem {
	return Problem{Rule: id, Msg: fmt.Sprintf(format, args...)}
}

// taskMetadata wants what Tekton Hub and Artifact Hub show users.
func taskMetadata(t *pipelinev1.Task) []Problem {
	var ps []Problem
	if t.Labels["app.kubernetes.io/version"] == "" {
		ps = append(ps, rule(RuleMetadata, "label app.kubernetes.io/version is missing"))
	}
	for _, a := range []string{"tekton.dev/pipelines.minVersion", "tekton.dev/categories", "tekton.dev/tags", "tekton.dev/displayName", "tekton.dev/platforms"} {
		if strings.TrimSpace(t.Annotations[a]) == "" {
			ps = append(ps, rule(RuleMetadata, "annotation %s is missing", a))
		}
	}
	if p := t.Annotations["tekton.dev/platforms"]; p != "" && p != Platforms {
		ps = append(ps, rule(RuleMetadata, "annotation tekton.dev/platforms is %q, want %q", p, Platforms))
	}
	if strings.TrimSpace(t.Spec.Description) == "" {
		ps = append(ps, rule(RuleMetadata, "spec.description is missing"))
	}
	return ps
}

// koPaths checks every ko:// reference anywhere in the object (ko resolve
// rewrites them all) names a main package under images/.
func koPaths(root string, obj any) []Problem {
	var ps []Problem
	for _, ref := range koRefs(obj) {
		rel, ok := strings.CutPrefix(ref, "ko://"+Module+"/")
		if !ok || !strings.HasPrefix(rel, "images/") || strings.Count(rel, "/") != 1 {
			ps = append(ps, rule(RuleKoPath, "%s is not ko://%s/images/<name>", ref, Module))
			continue
		}
		if !isMainPackage(filepath.Join(root, rel)) {
			ps = append(ps, rule(RuleKoPath, "%s: no main package in %s", ref, rel))
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

func isMainPackage(dir string) bool {
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

var paramRef = regexp.MustCompile(`^\$\(params\.([A-Za-z0-9_-]+)\)$`)

// stepImages wants each step image built by ko: a ko:// reference, or an
// image param (so users can point at a mirror) whose default is one.
func stepImages(t *pipelinev1.Task) []Problem {
	var ps []Problem
	for _, s := range t.Spec.Steps {
		img := s.Image
		if m := paramRef.FindStringSubmatch(img); m != nil {
			img = ""
			for _, p := range t.Spec.Params {
				if p.Name == m[1] && p.Default != nil {
					img = p.Default.StringVal
				}
			}
		}
		if !strings.HasPrefix(img, "ko://") {
			ps = append(ps, rule(RuleImage, "step %s: image %q is neither ko:// nor a param defaulting to ko://", s.Name, s.Image))
		}
	}
	return ps
}

// scriptVars: a $(params.x) inside a script is pasted into shell source,
// an injection waiting to happen; pass values through env or args.
func scriptVars(t *pipelinev1.Task) []Problem {
	var ps []Problem
	check := func(where, script string) {
		for _, v := range []string{"$(params.", "$(params[", "$(workspaces."} {
			if strings.Contains(script, v) {
				ps = append(ps, rule(RuleScriptVars, "%s: script uses %s…); pass it through env or args", where, v))
			}
		}
	}
	for _, s := range t.Spec.Steps {
		check("step "+s.Name, s.Script)
	}
	for _, s := range t.Spec.Sidecars {
		check("sidecar "+s.Name, s.Script)
	}
	return ps
}

// nonRoot wants every step to run as a non-root user, from its own
// securityContext or the stepTemplate's.
func nonRoot(t *pipelinev1.Task) []Problem {
	var ps []Problem
	var tmpl *corev1.SecurityContext
	if t.Spec.StepTemplate != nil {
		tmpl = t.Spec.StepTemplate.SecurityContext
	}
	for _, s := range t.Spec.Steps {
		sc := s.SecurityContext
		if sc == nil {
			sc = tmpl
		}
		switch {
		case sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot:
			ps = append(ps, rule(RuleNonRoot, "step %s: securityContext.runAsNonRoot is not true", s.Name))
		case sc.RunAsUser != nil || sc.RunAsGroup != nil:
			// A pinned UID beats the pod's, so a platform that assigns
			// UIDs (OpenShift's restricted SCC) would refuse the pod.
			ps = append(ps, rule(RuleNonRoot, "step %s: securityContext pins a UID or GID; leave it to the image (65532) so a platform can assign one", s.Name))
		}
	}
	return ps
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

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"knative.dev/pkg/apis"
	"sigs.k8s.io/yaml"
)

// Categories are Tekton Hub's (tektoncd/hub config.yaml).
var Categories = []string{
	"Automation", "Build Tools", "CLI", "Cloud", "Code Quality", "Continuous Integration", "Deployment",
	"Developer Tools", "Image Build", "Integration & Delivery", "Git", "Kubernetes", "Messaging",
	"Monitoring", "Networking", "Openshift", "Publishing", "Security", "Storage", "Testing",
}

// Problem is one thing wrong in the catalog.
type Problem struct {
	File, Msg string
}

func (p Problem) String() string { return p.File + ": " + p.Msg }

// Check checks every version of every item under out: the layout and
// metadata catlin and the Hub want (TEP-0003), pinned images, no params in
// scripts, the generated files, Tekton's own validation, and that no file
// of a released version changed since it was first committed.
func Check(root, out string) ([]Problem, error) {
	var problems []Problem
	add := func(file, format string, args ...any) {
		rel, err := filepath.Rel(root, file)
		if err != nil {
			rel = file
		}
		problems = append(problems, Problem{rel, fmt.Sprintf(format, args...)})
	}
	for _, kind := range []string{"task", "pipeline"} {
		names, _ := filepath.Glob(filepath.Join(out, kind, "*"))
		for _, nameDir := range names {
			name := filepath.Base(nameDir)
			versions, _ := filepath.Glob(filepath.Join(nameDir, "*"))
			for _, vdir := range versions {
				version := filepath.Base(vdir)
				if !versionRE.MatchString(version) {
					add(vdir, "version directory %q is not X.Y", version)
					continue
				}
				checkVersion(kind, name, version, vdir, add)
			}
		}
	}
	changed, err := changedSinceRelease(out)
	if err != nil {
		return nil, err
	}
	for _, f := range changed {
		add(f, "a released file changed; publish the change as a new version instead")
	}
	return problems, nil
}

func checkVersion(kind, name, version, dir string, add func(string, string, ...any)) {
	file := filepath.Join(dir, name+".yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		add(dir, "no %s.yaml", name)
		return
	}
	for _, f := range []string{"README.md", "tests/run.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			add(dir, "no %s", f)
		}
	}
	samples, _ := filepath.Glob(filepath.Join(dir, "samples", "*.yaml"))
	if len(samples) == 0 {
		add(dir, "no samples/*.yaml")
	}
	for _, f := range append(samples, filepath.Join(dir, "tests", "run.yaml")) {
		checkRun(f, kind, name, add)
	}
	var obj struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name        string            `json:"name"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
		Spec struct {
			Description string `json:"description"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &obj); err != nil {
		add(file, "%v", err)
		return
	}
	m := obj.Metadata
	if strings.ToLower(obj.Kind) != kind || m.Name != name {
		add(file, "is %s %s, but sits in %s/%s", obj.Kind, m.Name, kind, name)
	}
	if v := m.Labels["app.kubernetes.io/version"]; v != version {
		add(file, "label app.kubernetes.io/version is %q, the directory %q", v, version)
	}
	for _, a := range []string{"tekton.dev/pipelines.minVersion", "tekton.dev/tags", "tekton.dev/displayName", "tekton.dev/platforms", "tekton.dev/categories"} {
		if strings.TrimSpace(m.Annotations[a]) == "" {
			add(file, "annotation %s is missing", a)
		}
	}
	for _, c := range strings.Split(m.Annotations["tekton.dev/categories"], ",") {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(Categories, c) {
			add(file, "category %q is not one of Tekton Hub's", c)
		}
	}
	if strings.TrimSpace(obj.Spec.Description) == "" {
		add(file, "no spec.description")
	}
	if kind == "task" {
		checkTask(file, data, add)
	} else {
		checkPipeline(file, data, add)
	}
}

// checkTask: every step image pinned by digest (directly or through the
// param default it names), no $(params…) inside a script, valid.
func checkTask(file string, data []byte, add func(string, string, ...any)) {
	var t pipelinev1.Task
	if err := yaml.UnmarshalStrict(data, &t); err != nil {
		add(file, "%v", err)
		return
	}
	defaults := map[string]string{}
	for _, p := range t.Spec.Params {
		if p.Default != nil {
			defaults[p.Name] = p.Default.StringVal
		}
	}
	for _, s := range t.Spec.Steps {
		img := s.Image
		if p, ok := strings.CutPrefix(img, "$(params."); ok {
			img = defaults[strings.TrimSuffix(p, ")")]
		}
		if !strings.Contains(img, "@sha256:") {
			add(file, "step %s: image %q is not pinned by digest", s.Name, s.Image)
		}
		if strings.Contains(s.Script, "$(params") {
			add(file, "step %s: $(params…) inside a script (pass it through env or args)", s.Name)
		}
	}
	ctx := context.Background()
	t.SetDefaults(ctx)
	if err := t.Validate(apis.WithinCreate(ctx)); err != nil {
		add(file, "tekton: %v", err)
	}
}

func checkPipeline(file string, data []byte, add func(string, string, ...any)) {
	var p pipelinev1.Pipeline
	if err := yaml.UnmarshalStrict(data, &p); err != nil {
		add(file, "%v", err)
		return
	}
	if bytes.Contains(data, []byte("ko://")) {
		add(file, "an unresolved ko:// reference")
	}
	ctx := context.Background()
	p.SetDefaults(ctx)
	if err := p.Validate(apis.WithinCreate(ctx)); err != nil {
		add(file, "tekton: %v", err)
	}
}

// changedSinceRelease lists catalog files whose content differs from the
// content of the commit that first added them: released files are
// immutable. Files git does not know yet are new, not changed; a catalog
// outside any git repository has no history to compare with.
func changedSinceRelease(out string) ([]string, error) {
	git := func(args ...string) ([]byte, error) {
		cmd := exec.Command("git", append([]string{"-C", out}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		b, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		return b, nil
	}
	if _, err := os.Stat(out); err != nil {
		return nil, nil
	}
	if _, err := git("rev-parse", "--show-toplevel"); err != nil {
		return nil, nil
	}
	list, err := git("ls-files", "-z", "--", "task", "pipeline")
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, f := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		if f == "" {
			continue
		}
		first, err := git("log", "--diff-filter=A", "--format=%H", "--reverse", "--", f)
		if err != nil {
			return nil, err
		}
		commit, _, _ := strings.Cut(strings.TrimSpace(string(first)), "\n")
		if commit == "" {
			continue
		}
		released, err := git("show", commit+":./"+f)
		if err != nil {
			return nil, err
		}
		now, err := os.ReadFile(filepath.Join(out, f))
		if err != nil || !bytes.Equal(now, released) {
			changed = append(changed, filepath.Join(out, f))
		}
	}
	return changed, nil
}

// checkRun validates a sample or test run: a TaskRun or PipelineRun of
// this item, valid for Tekton.
func checkRun(file, kind, name string, add func(string, string, ...any)) {
	data, err := os.ReadFile(file)
	if err != nil {
		return // reported as missing
	}
	// Both kinds decode, default and validate alike; only where the run
	// names its item differs.
	var run interface {
		metav1.Object
		apis.Defaultable
		apis.Validatable
	}
	var ref func() string
	if kind == "task" {
		tr := &pipelinev1.TaskRun{}
		run, ref = tr, func() string {
			if tr.Spec.TaskRef == nil {
				return ""
			}
			return tr.Spec.TaskRef.Name
		}
	} else {
		pr := &pipelinev1.PipelineRun{}
		run, ref = pr, func() string {
			if pr.Spec.PipelineRef == nil {
				return ""
			}
			return pr.Spec.PipelineRef.Name
		}
	}
	if err := yaml.UnmarshalStrict(data, run); err != nil {
		add(file, "%v", err)
		return
	}
	if run.GetName() == "" {
		run.SetName(run.GetGenerateName() + "x0000")
	}
	ctx := apis.WithinCreate(context.Background())
	run.SetDefaults(ctx)
	verr := run.Validate(ctx)
	if ref := ref(); ref != name {
		add(file, "runs %q, not %s", ref, name)
	}
	if verr != nil {
		add(file, "tekton: %v", verr)
	}
}

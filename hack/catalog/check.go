package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/plumbline/plumbline/hack/tektoncheck"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	pipelinev1beta1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Problem is one thing wrong in the catalog: the checks every Tekton file
// we ship gets (hack/tektoncheck, with images pinned by digest) and the
// catalog's own.
type Problem = tektoncheck.Problem

// Rules of the catalog's own.
const (
	RuleLayout    = "layout"
	RuleVersion   = "version"
	RuleImmutable = "immutable"
	RuleRun       = "run"
)

// Check checks every version of every item under out: the layout and
// metadata catlin and the Hub want (TEP-0003), Tekton's validation and our
// rules (hack/tektoncheck) on the item and its sample and test runs, and
// that no file of a released version changed since it was first committed.
func Check(root, out string) ([]Problem, error) {
	var problems []Problem
	add := func(file, rule, format string, args ...any) {
		rel, err := filepath.Rel(root, file)
		if err != nil {
			rel = file
		}
		problems = append(problems, Problem{File: rel, Line: 1, Rule: rule, Msg: fmt.Sprintf(format, args...)})
	}
	// Every file is read and decoded once; a release's Tasks and
	// StepActions are indexed once, for all its items.
	files := tektoncheck.NewFiles()
	checkers := map[string]*tektoncheck.Checker{}
	for _, kind := range []string{"task", "pipeline", "stepaction"} {
		names, _ := filepath.Glob(filepath.Join(out, kind, "*"))
		for _, nameDir := range names {
			name := filepath.Base(nameDir)
			versions, _ := filepath.Glob(filepath.Join(nameDir, "*"))
			for _, vdir := range versions {
				version := filepath.Base(vdir)
				if !versionRE.MatchString(version) {
					add(vdir, RuleLayout, "version directory %q is not X.Y", version)
					continue
				}
				c := checkers[version]
				if c == nil {
					// A released Pipeline names the Tasks of its own release.
					released, _ := filepath.Glob(filepath.Join(out, "*", "*", version, "*.yaml"))
					tasks, actions := files.Load(released)
					c = &tektoncheck.Checker{Root: root, Images: tektoncheck.Pinned, Tasks: tasks, StepActions: actions, Files: files}
					checkers[version] = c
				}
				ps, err := checkVersion(c, kind, name, version, vdir, add)
				if err != nil {
					return nil, err
				}
				problems = append(problems, ps...)
			}
		}
	}
	for _, kind := range []string{"task", "pipeline", "stepaction"} {
		if released, _ := filepath.Glob(filepath.Join(out, kind, "*", "*", "*.yaml")); len(released) > 0 {
			repoFile := filepath.Join(out, kind, RepoFile)
			checkRepoFile(repoFile, func(format string, args ...any) { add(repoFile, RuleArtifactHub, format, args...) })
		}
	}
	changed, err := changedSinceRelease(out)
	if err != nil {
		return nil, err
	}
	for _, f := range changed {
		add(f, RuleImmutable, "a released file changed; publish the change as a new version instead")
	}
	return problems, nil
}

func checkVersion(c *tektoncheck.Checker, kind, name, version, dir string, add func(file, rule, format string, args ...any)) ([]Problem, error) {
	file := filepath.Join(dir, name+".yaml")
	if _, err := os.Stat(file); err != nil {
		add(dir, RuleLayout, "no %s.yaml", name)
		return nil, nil
	}
	for _, f := range []string{"README.md", "tests/run.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			add(dir, RuleLayout, "no %s", f)
		}
	}
	samples, _ := filepath.Glob(filepath.Join(dir, "samples", "*.yaml"))
	if len(samples) == 0 {
		add(dir, RuleLayout, "no samples/*.yaml")
	}
	var problems []Problem
	for _, f := range append([]string{file}, append(samples, filepath.Join(dir, "tests", "run.yaml"))...) {
		if _, err := os.Stat(f); err != nil {
			continue // reported as missing
		}
		ps, err := c.File(f)
		if err != nil {
			return nil, err
		}
		problems = append(problems, ps...)
		if f != file {
			checkRun(c.Files, f, kind, name, add)
		}
	}
	objs, err := c.Files.Objects(file)
	if err != nil || len(objs) != 1 {
		add(file, RuleLayout, "want exactly one %s, a valid one", kind)
		return problems, nil
	}
	m, ok := objs[0].(metav1.ObjectMetaAccessor)
	if !ok {
		add(file, RuleLayout, "is not a %s", kind)
		return problems, nil
	}
	meta := m.GetObjectMeta()
	if k := kindOf(objs[0]); k != kind || meta.GetName() != name {
		add(file, RuleLayout, "is %s %s, but sits in %s/%s", k, meta.GetName(), kind, name)
	}
	if v := meta.GetLabels()["app.kubernetes.io/version"]; v != version {
		add(file, RuleVersion, "label app.kubernetes.io/version is %q, the directory %q", v, version)
	}
	checkArtifactHub(meta.GetAnnotations(), func(format string, args ...any) { add(file, RuleArtifactHub, format, args...) })
	return problems, nil
}

func kindOf(obj any) string {
	switch obj.(type) {
	case *pipelinev1.Task:
		return "task"
	case *pipelinev1.Pipeline:
		return "pipeline"
	case *pipelinev1beta1.StepAction:
		return "stepaction"
	}
	return fmt.Sprintf("%T", obj)
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
	list, err := git("ls-files", "-z", "--", "task", "pipeline", "stepaction")
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, f := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		if f == "" || filepath.Base(f) == RepoFile {
			continue // Artifact Hub's metadata gains its repositoryID later
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

// checkRun: a sample or test run is a TaskRun or PipelineRun of this item,
// or for a StepAction a TaskRun with a step that runs it (its validity is
// tektoncheck's).
func checkRun(files *tektoncheck.Files, file, kind, name string, add func(file, rule, format string, args ...any)) {
	objs, err := files.Objects(file)
	if err != nil {
		return // reported by tektoncheck
	}
	for _, o := range objs {
		ref := "none"
		switch r := o.(type) {
		case *pipelinev1.TaskRun:
			if kind == "task" && r.Spec.TaskRef != nil {
				ref = r.Spec.TaskRef.Name
			}
			if kind == "stepaction" && r.Spec.TaskSpec != nil {
				for _, s := range r.Spec.TaskSpec.Steps {
					if s.Ref != nil && s.Ref.Name == name {
						ref = name
					}
				}
			}
		case *pipelinev1.PipelineRun:
			if kind == "pipeline" && r.Spec.PipelineRef != nil {
				ref = r.Spec.PipelineRef.Name
			}
		}
		if ref != name {
			add(file, RuleRun, "runs %q, not %s %s", ref, kind, name)
		}
	}
}

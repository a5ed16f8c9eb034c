//go:build e2e

package e2e

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tektoncd/pipeline/pkg/apis/pipeline/pod"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestCatalog reuses one Task from the released catalog without
// installing it, as catalog/README.md shows: by the git resolver (the
// catalog file on the git server) and by the bundles resolver (the bundle
// make bundles pushed), both run by Tekton's resolvers. policy-check runs
// on examples/homelab with fail-on never: green, with its findings in the
// results.
func TestCatalog(t *testing.T) {
	w := setup(t)
	in := install(t, w)
	w.homelab(t, ns)
	const task = "plumbline-policy-check"
	refs := map[string]*pipelinev1.TaskRef{
		"git": {ResolverRef: pipelinev1.ResolverRef{Resolver: "git", Params: pipelinev1.Params{
			{Name: "url", Value: *pipelinev1.NewStructuredValues(in.catalogURL)},
			{Name: "revision", Value: *pipelinev1.NewStructuredValues("main")},
			{Name: "pathInRepo", Value: *pipelinev1.NewStructuredValues("task/" + task + "/" + release + "/" + task + ".yaml")},
		}}},
		"bundles": {ResolverRef: pipelinev1.ResolverRef{Resolver: "bundles", Params: pipelinev1.Params{
			{Name: "bundle", Value: *pipelinev1.NewStructuredValues(w.reg + "/plumbline/bundles/" + task + ":" + release)},
			{Name: "name", Value: *pipelinev1.NewStructuredValues(task)},
			{Name: "kind", Value: *pipelinev1.NewStructuredValues("task")},
		}}},
	}
	for resolver, ref := range refs {
		t.Run(resolver, func(t *testing.T) {
			claim := &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "homelab"}
			tr := &pipelinev1.TaskRun{
				ObjectMeta: metav1.ObjectMeta{GenerateName: "catalog-" + resolver + "-", Namespace: ns},
				Spec: pipelinev1.TaskRunSpec{
					TaskRef: ref,
					Params:  pipelinev1.Params{{Name: "fail-on", Value: *pipelinev1.NewStructuredValues("never")}},
					Workspaces: []pipelinev1.WorkspaceBinding{
						{Name: "source", PersistentVolumeClaim: claim},
						{Name: "reports", PersistentVolumeClaim: claim, SubPath: ".plumbline/reports-" + resolver},
					},
				},
			}
			done, cond, res := w.runTaskRun(t, tr)
			if cond.Status != corev1.ConditionTrue {
				t.Fatalf("%s: %s/%s: %s\n%s", done.Name, cond.Status, cond.Reason, cond.Message, logs(ns, done))
			}
			if res["errors"] == "" || res["errors"] == "0" {
				t.Errorf("results %v: the planted mistakes are findings even when they do not fail the run", res)
			}
			if p := done.Status.Provenance; p == nil || p.RefSource == nil || p.RefSource.URI == "" {
				t.Errorf("no provenance of the resolved Task: %+v", p)
			} else {
				t.Logf("resolved from %s %v", p.RefSource.URI, p.RefSource.Digest)
			}
		})
	}
}

// TestStepActionResolvers composes every released StepAction, fetched by
// the git resolver (the catalog on the git server) and by the bundles
// resolver (the bundles make bundles pushed), into a Task a user wrote,
// with a step of its own: fetch the homelab repository, the user's step,
// the four checks, then report, which takes each check's report-sha256.
func TestStepActionResolvers(t *testing.T) {
	w := setup(t)
	in := install(t, w)
	sha := run(t, in.repoDir, "git", "rev-parse", "main")
	ref := func(resolver, name string) *pipelinev1.Ref {
		if resolver == "git" {
			return &pipelinev1.Ref{ResolverRef: pipelinev1.ResolverRef{Resolver: "git", Params: pipelinev1.Params{
				{Name: "url", Value: *pipelinev1.NewStructuredValues(in.catalogURL)},
				{Name: "revision", Value: *pipelinev1.NewStructuredValues("main")},
				{Name: "pathInRepo", Value: *pipelinev1.NewStructuredValues("stepaction/" + name + "/" + release + "/" + name + ".yaml")},
			}}}
		}
		return &pipelinev1.Ref{ResolverRef: pipelinev1.ResolverRef{Resolver: "bundles", Params: pipelinev1.Params{
			{Name: "bundle", Value: *pipelinev1.NewStructuredValues(w.reg + "/plumbline/bundles/" + name + ":" + release)},
			{Name: "name", Value: *pipelinev1.NewStructuredValues(name)},
			{Name: "kind", Value: *pipelinev1.NewStructuredValues("stepaction")},
		}}}
	}
	str := func(s string) pipelinev1.ParamValue { return *pipelinev1.NewStructuredValues(s) }
	check := func(resolver, step, action string, params ...pipelinev1.Param) pipelinev1.Step {
		return pipelinev1.Step{Name: step, Ref: ref(resolver, action), OnError: pipelinev1.Continue, Params: append(pipelinev1.Params{
			{Name: "source-dir", Value: str("/work/src")},
			{Name: "reports-dir", Value: str("/work/reports")},
			{Name: "run-id", Value: str("$(context.taskRun.uid)")},
		}, params...)}
	}
	for _, resolver := range []string{"git", "bundles"} {
		t.Run(resolver, func(t *testing.T) {
			var digests []string
			for _, c := range []string{"policy-check", "dns-zone-diff", "terraform-validate", "ansible-lint-check"} {
				digests = append(digests, "--expect-sha256="+c+".json=$(steps."+c+".results.report-sha256)")
			}
			tr := &pipelinev1.TaskRun{
				ObjectMeta: metav1.ObjectMeta{GenerateName: "compose-" + resolver + "-", Namespace: ns},
				Spec: pipelinev1.TaskRunSpec{
					PodTemplate: &pod.Template{SecurityContext: &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](65532)}},
					TaskSpec: &pipelinev1.TaskSpec{
						Volumes:      []corev1.Volume{{Name: "work", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
						StepTemplate: &pipelinev1.StepTemplate{VolumeMounts: []corev1.VolumeMount{{Name: "work", MountPath: "/work"}}},
						Results: []pipelinev1.TaskResult{
							{Name: "status", Value: pipelinev1.NewStructuredValues("$(steps.report.results.status)")},
							{Name: "commit", Value: pipelinev1.NewStructuredValues("$(steps.fetch.results.commit)")},
						},
						Steps: []pipelinev1.Step{
							{Name: "fetch", Ref: ref(resolver, "plumbline-git-fetch"), Params: pipelinev1.Params{
								{Name: "url", Value: str(in.repoURL)}, {Name: "revision", Value: str(sha)},
								{Name: "output-path", Value: str("/work/src")}}},
							{Name: "mine", Image: w.ansible, Script: "#!/bin/sh\nset -e\ntest -f /work/src/.plumbline.yaml\necho your own step saw the checkout\n"},
							check(resolver, "policy-check", "plumbline-policy-check"),
							check(resolver, "dns-zone-diff", "plumbline-dns-zone-diff"),
							check(resolver, "terraform-validate", "plumbline-terraform-validate"),
							check(resolver, "ansible-lint-check", "plumbline-ansible-lint"),
							{Name: "report", Ref: ref(resolver, "plumbline-report"), Params: pipelinev1.Params{
								{Name: "reports-dir", Value: str("/work/reports")},
								{Name: "run-id", Value: str("$(context.taskRun.uid)")},
								{Name: "extra-args", Value: *pipelinev1.NewStructuredValues(digests[0], digests[1:]...)},
							}},
						},
					},
				},
			}
			done, cond, res := w.runTaskRun(t, tr)
			want := validateWant(true)
			want["mine"] = 0
			delete(want, "terraform-plan") // this Task of the user's has no plan step
			want["policy-check"] = 1       // a step of its own, here
			if diff := cmp.Diff(want, stepExits(done)); diff != "" || cond.Reason != "Failed" {
				t.Errorf("%s: %s/%s: %s; step exit codes (-want +got):\n%s\n%s", done.Name, cond.Status, cond.Reason, cond.Message, diff, logs(ns, done))
			}
			if res["status"] != "fail" || res["commit"] != sha {
				t.Errorf("results %v, want status fail and commit %s", res, sha)
			}
			if log := stepLog(ns, done, "report"); strings.Contains(log, "refused") || len(checkStatus(log)) != 4 {
				t.Errorf("report:\n%s", log)
			}
			if !strings.Contains(stepLog(ns, done, "mine"), "saw the checkout") {
				t.Error("the user's own step did not run between the StepActions")
			}
		})
	}
}

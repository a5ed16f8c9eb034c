//go:build e2e

package e2e

import (
	"testing"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

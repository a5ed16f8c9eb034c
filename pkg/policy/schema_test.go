package policy

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/internal/testfs"
)

// TestAPILifecycle: with --kubernetes-version, an API version the cluster
// no longer serves is k8s/api-removed, a deprecated one k8s/api-deprecated,
// and one the cluster still serves is no schema error for the built-in
// schema's newer release; without it, k8s/schema judges as before.
func TestAPILifecycle(t *testing.T) {
	dir := t.TempDir()
	hpa := "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 3\n"
	fs := "apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\nmetadata: {name: f}\nspec:\n  priorityLevelConfiguration: {name: p}\n"
	psp := "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\nspec: {}\n"
	testfs.WriteAll(t, dir, map[string]string{"hpa.yaml": hpa, "fs.yaml": fs, "psp.yaml": psp})
	for _, tc := range []struct {
		version string
		want    []string
	}{
		{"", []string{"fs.yaml:1|k8s/schema", "hpa.yaml:1|k8s/schema", "psp.yaml:1|k8s/schema"}},
		{"v1.24.17+k3s1", []string{"hpa.yaml:1|k8s/api-deprecated", "psp.yaml:1|k8s/api-deprecated"}},
		{"1.26", []string{"hpa.yaml:1|k8s/api-removed", "psp.yaml:1|k8s/api-removed"}},
		{"1.31", []string{"fs.yaml:1|k8s/api-deprecated", "hpa.yaml:1|k8s/api-removed", "psp.yaml:1|k8s/api-removed"}},
		{"1.32", []string{"fs.yaml:1|k8s/api-removed", "hpa.yaml:1|k8s/api-removed", "psp.yaml:1|k8s/api-removed"}},
	} {
		args := []string{"--secrets=false", "--addresses=false", "--tekton=false", "--kubernetes-version=" + tc.version, "."}
		r, _, _ := clitest.RunCheck(t, &Check{}, dir, args...)
		var got []string
		for _, f := range r.Findings {
			if strings.HasPrefix(f.Rule, "k8s/") && f.Rule != RuleSchemaUnchecked {
				got = append(got, fmt.Sprintf("%s:%d|%s", f.File, f.Line, f.Rule))
			}
		}
		slices.Sort(got)
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("--kubernetes-version=%s (-want +got):\n%s", tc.version, d)
		}
	}
	// Refused where the flag (or its .plumbline.yaml line) is read.
	flags := flag.NewFlagSet("policy-check", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	(&Check{}).Flags(flags)
	if err := flags.Parse([]string{"--kubernetes-version=latest"}); err == nil {
		t.Error("--kubernetes-version=latest accepted")
	}
}

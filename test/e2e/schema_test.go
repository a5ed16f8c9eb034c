//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/plumbline/plumbline/pkg/kube"
	"github.com/plumbline/plumbline/pkg/kustomize"
	"github.com/plumbline/plumbline/pkg/policy/parser"
)

// TestSchemaOracle puts k8s/schema's verdicts next to the real API
// server's: every manifest of pkg/kube's oracle corpus is applied with
// `kubectl apply --dry-run=server` (strict field validation, kubectl's
// default) after the corpus's CRD is installed for real, and the server
// must accept exactly those k8s/schema accepts, except the ones the corpus
// marks as refused for their values (refuse-semantic), which k8s/schema
// does not claim. Then the example's overlays, rendered by pkg/kustomize:
// the server refuses dev (the misspelt field k8s/schema reports) and
// accepts prod, as ArgoCD's sync would. The schema's Kubernetes release is
// the cluster's.
func TestSchemaOracle(t *testing.T) {
	w := setup(t)
	var v struct {
		ServerVersion struct{ GitVersion string } `json:"serverVersion"`
	}
	if err := json.Unmarshal([]byte(kubectl(t, "", "version", "-o", "json")), &v); err != nil {
		t.Fatal(err)
	}
	if want := "v" + kube.KubernetesVersion(); v.ServerVersion.GitVersion != want {
		t.Errorf("cluster %s, k8s/schema checks against %s", v.ServerVersion.GitVersion, want)
	}
	const schemaNS = "plumbline-schema"
	for _, n := range []string{schemaNS, "dns", "dns-dev"} {
		kubectl(t, "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+n+"}\n", "apply", "-f", "-")
	}
	a, err := txtar.ParseFile(filepath.Join(w.root, "pkg", "kube", "testdata", "oracle.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range a.Files {
		if strings.HasPrefix(f.Name, "crd/") {
			kubectl(t, string(f.Data), "apply", "-f", "-")
			kubectl(t, "", "wait", "--for=condition=Established", "--timeout=60s", "crd/issuers.example.home.arpa")
		}
	}
	dryRun := func(manifest, namespace string) (bool, string) {
		args := []string{"apply", "--dry-run=server", "--validate=strict", "-f", "-"}
		if namespace != "" {
			args = append(args, "-n", namespace)
		}
		cmd := exec.Command("kubectl", args...)
		cmd.Stdin = strings.NewReader(manifest)
		out, err := cmd.CombinedOutput()
		return err == nil, strings.TrimSpace(string(out))
	}
	agree := 0
	for _, f := range a.Files {
		verdict, _, _ := strings.Cut(f.Name, "/")
		if verdict == "crd" {
			continue
		}
		ok, out := dryRun(string(f.Data), schemaNS)
		switch {
		case verdict == "accept" && !ok:
			t.Errorf("%s: the API server refuses it: %s", f.Name, out)
		case verdict != "accept" && ok:
			t.Errorf("%s: the API server accepts it", f.Name)
		default:
			agree++
			t.Logf("%s: server %s", f.Name, firstLine(out))
		}
	}
	t.Logf("the API server agrees with the corpus on %d manifests", agree)

	res, err := kustomize.Render(context.Background(), kustomize.Options{Root: filepath.Join(w.root, "examples", "homelab")})
	if err != nil {
		t.Fatal(err)
	}
	k, err := kube.New()
	if err != nil {
		t.Fatal(err)
	}
	yp, _ := parser.New("yaml")
	for _, b := range res.Builds {
		if b.Err != nil {
			t.Fatalf("%s: %v", b.Dir, b.Err)
		}
		ok, out := dryRun(string(b.YAML), "")
		in, err := yp.Parse(b.Dir, b.YAML)
		if err != nil {
			t.Fatal(err)
		}
		var problems []kube.Problem
		for _, d := range in.Value.([]any) {
			_, p := k.Check(d)
			problems = append(problems, p...)
		}
		if ok != (len(problems) == 0) {
			t.Errorf("%s: the API server says ok=%v (%s), k8s/schema %v", b.Dir, ok, out, problems)
		}
		t.Logf("%s: server ok=%v %s; k8s/schema %v", b.Dir, ok, firstLine(out), problems)
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

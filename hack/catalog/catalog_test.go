package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"github.com/plumbline/plumbline/internal/tektonsig"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/registry"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"github.com/tektoncd/pipeline/pkg/apis/pipeline/v1alpha1"
	tektonbundle "github.com/tektoncd/pipeline/pkg/resolution/resolver/bundle"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// fakeRefs pins every image under images/ to a made-up digest, as make
// images would: the catalog only needs the references.
func fakeRefs(t *testing.T) map[string]string {
	t.Helper()
	dirs, _ := filepath.Glob("../../images/*")
	refs := map[string]string{}
	for _, d := range dirs {
		name := filepath.Base(d)
		refs[name] = "registry.example/plumbline/" + name + "@sha256:" + strings.Repeat("ab", 32)
	}
	return refs
}

func generate(t *testing.T, out, version string) []string {
	t.Helper()
	files, err := Generate("../..", out, version, fakeRefs(t))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func problems(t *testing.T, out string) []string {
	t.Helper()
	ps, err := Check("../..", out)
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return s
}

// TestGenerate: every Task and Pipeline becomes a Hub-style version
// directory that passes the catalog check.
func TestGenerate(t *testing.T) {
	out := t.TempDir()
	files := generate(t, out, "0.1")
	items, _ := Items("../..")
	if len(files) != 4*len(items)+3 || len(items) < 7 || !slices.Contains(files, filepath.Join(out, "task", RepoFile)) {
		t.Fatalf("%d files for %d items", len(files), len(items))
	}
	if ps := problems(t, out); len(ps) > 0 {
		t.Fatalf("a fresh catalog has problems:\n%s", strings.Join(ps, "\n"))
	}
	task, err := os.ReadFile(filepath.Join(out, "task/plumbline-policy-check/0.1/plumbline-policy-check.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(task), "ko://") || !strings.Contains(string(task), "registry.example/plumbline/policy-check@sha256:abab") ||
		!strings.Contains(string(task), `app.kubernetes.io/version: "0.1"`) {
		t.Errorf("task not pinned or not versioned:\n%s", task)
	}
	// Artifact Hub's annotations: license, links, maintainers, and the
	// version's entry of CHANGES.yaml.
	for _, want := range []string{"artifacthub.io/license: Apache-2.0", "artifacthub.io/category: integration-delivery",
		"url: https://github.com/plumbline/plumbline/blob/v0.1/tasks/policy-check.yaml", "artifacthub.io/maintainers: |",
		"artifacthub.io/changes: |", "- description: Terraform, Ansible, policy and DNS checks"} {
		if !strings.Contains(string(task), want) {
			t.Errorf("the catalog Task lacks %q:\n%s", want, task)
		}
	}
	other := t.TempDir()
	generate(t, other, "0.7")
	if data, err := os.ReadFile(filepath.Join(other, "task/plumbline-policy-check/0.7/plumbline-policy-check.yaml")); err != nil ||
		strings.Contains(string(data), "artifacthub.io/changes") || !strings.Contains(string(data), "artifacthub.io/license") {
		t.Errorf("0.7, which CHANGES.yaml does not list: %v\n%s", err, data)
	}
	readme, _ := os.ReadFile(filepath.Join(out, "task/plumbline-policy-check/0.1/README.md"))
	for _, want := range []string{"# Plumbline policy-check", "| `namespaces` | string | empty |", "| `policy` | yes |", "| `waived` |", "## Usage", "kubectl apply -f https://raw.githubusercontent.com/plumbline/plumbline/v0.1/catalog/task/plumbline-policy-check/0.1/plumbline-policy-check.yaml"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README lacks %q", want)
		}
	}
	if _, err := Generate("../..", out, "0.1", fakeRefs(t)); err == nil || !strings.Contains(err.Error(), "never changes") {
		t.Errorf("regenerating a released version: %v", err)
	}
	if _, err := Generate("../..", t.TempDir(), "1.0.0", fakeRefs(t)); err == nil {
		t.Error("version 1.0.0 accepted")
	}
	if _, err := Generate("../..", t.TempDir(), "0.2", map[string]string{}); err == nil || !strings.Contains(err.Error(), "make images") {
		t.Errorf("missing refs: %v", err)
	}
}

// TestCheckFindsProblems: each rule catlin and the Hub enforce, and the
// rules every Tekton file we ship obeys (hack/tektoncheck), broken on
// purpose in a generated catalog.
func TestCheckFindsProblems(t *testing.T) {
	const task, sa = "task/plumbline-report/0.1", "stepaction/plumbline-report/0.1"
	for _, tc := range []struct {
		name, dir, file, old, new, want string
	}{
		{"unpinned image", sa, "plumbline-report.yaml", "registry.example/plumbline/report@sha256:" + strings.Repeat("ab", 32), "registry.example/plumbline/report:latest", "is not pinned by digest"},
		{"label", task, "plumbline-report.yaml", `app.kubernetes.io/version: "0.1"`, `app.kubernetes.io/version: "0.2"`, `label app.kubernetes.io/version is "0.2", the directory "0.1"`},
		{"category", task, "plumbline-report.yaml", "tekton.dev/categories: Code Quality", "tekton.dev/categories: Homelab", `category "Homelab" is not one of Tekton Hub's`},
		{"display name", task, "plumbline-report.yaml", "tekton.dev/displayName:", "x-displayName:", "annotation tekton.dev/displayName is missing"},
		{"script params", sa, "plumbline-report.yaml", "  args:\n", "  script: echo $(params.format)\n  args:\n", "script uses $(params.…)"},
		{"non-root", sa, "plumbline-report.yaml", "runAsNonRoot: true", "runAsNonRoot: false", "non-root: stepaction plumbline-report: securityContext.runAsNonRoot is not true"},
		{"non-root through the step", sa, "plumbline-report.yaml", "runAsNonRoot: true", "runAsNonRoot: false", "non-root: step report: securityContext.runAsNonRoot is not true"},
		{"ko left", sa, "plumbline-report.yaml", "registry.example/plumbline/report@sha256:" + strings.Repeat("ab", 32), "ko://github.com/plumbline/plumbline/images/report", "an unresolved ko:// reference"},
		{"sample", task, "samples/plumbline-report-run.yaml", "name: plumbline-report", "name: other", `runs "other", not task plumbline-report`},
		{"stepaction sample", sa, "samples/plumbline-report-run.yaml", "name: plumbline-report", "name: other", `runs "none", not stepaction plumbline-report`},
		{"artifacthub change kind", task, "plumbline-report.yaml", "kind: added", "kind: improved", `artifacthub.io/changes: kind "improved" is not one of added`},
		{"artifacthub link", sa, "plumbline-report.yaml", "url: https://github.com/plumbline/plumbline/blob/v0.1/stepactions/report.yaml", "url: github.com/x", `artifacthub.io/links: "source" "github.com/x": want a name and an http(s) url`},
		{"artifacthub license", task, "plumbline-report.yaml", "artifacthub.io/license: Apache-2.0", "artifacthub.io/license: Apache 2", `artifacthub.io/license "Apache 2" is not an SPDX identifier`},
		{"artifacthub repo file", "stepaction", RepoFile, "owners:", "owner:", `unknown field "owner"`},
		{"step wiring", task, "plumbline-report.yaml", "      ref:\n        name: plumbline-report\n", "      ref:\n        name: plumbline-gone\n", "no StepAction plumbline-gone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			generate(t, out, "0.1")
			p := filepath.Join(out, tc.dir, tc.file)
			data, _ := os.ReadFile(p)
			if !strings.Contains(string(data), tc.old) {
				t.Fatalf("%s has no %q", tc.file, tc.old)
			}
			os.WriteFile(p, []byte(strings.Replace(string(data), tc.old, tc.new, 1)), 0o644)
			ps := strings.Join(problems(t, out), "\n")
			if !strings.Contains(ps, tc.want) {
				t.Errorf("want %q in:\n%s", tc.want, ps)
			}
		})
	}
	out := t.TempDir()
	generate(t, out, "0.1")
	os.Remove(filepath.Join(out, "task/plumbline-report/0.1/README.md"))
	os.Rename(filepath.Join(out, "task/plumbline-dns-zone-diff/0.1"), filepath.Join(out, "task/plumbline-dns-zone-diff/v1"))
	ps := strings.Join(problems(t, out), "\n")
	for _, want := range []string{"no README.md", `version directory "v1" is not X.Y`} {
		if !strings.Contains(ps, want) {
			t.Errorf("want %q in:\n%s", want, ps)
		}
	}
}

// TestImmutable: once committed, a version's files may not change; a new
// version may be added.
func TestImmutable(t *testing.T) {
	out := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", out, "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, b)
		}
	}
	git("init", "-q")
	generate(t, out, "0.1")
	git("add", ".")
	git("commit", "-q", "-m", "release 0.1")
	generate(t, out, "0.2")
	if ps := problems(t, out); len(ps) > 0 {
		t.Fatalf("adding a version: %v", ps)
	}
	git("add", ".")
	git("commit", "-q", "-m", "release 0.2")
	f := filepath.Join(out, "task/plumbline-report/0.1/README.md")
	data, _ := os.ReadFile(f)
	os.WriteFile(f, append(data, "one more line\n"...), 0o644)
	git("commit", "-q", "-am", "edit a released file")
	ps := problems(t, out)
	if len(ps) != 1 || !strings.Contains(ps[0], "task/plumbline-report/0.1/README.md:1: immutable: a released file changed") {
		t.Errorf("problems %v", ps)
	}
}

// TestBundles: a check's Task and StepAction share a name, and so one
// bundle, from which Tekton's bundles resolver reads each by kind.
func TestBundles(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	out := t.TempDir()
	generate(t, out, "0.1")
	repo := strings.TrimPrefix(srv.URL, "http://") + "/plumbline"
	pushed, err := Bundles(out, "0.1", repo)
	if err != nil {
		t.Fatal(err)
	}
	items, _ := Items("../..")
	names := map[string]bool{}
	for _, it := range items {
		names[it.Name] = true
	}
	if len(pushed) != len(names) {
		t.Errorf("%d bundles for %d names: %v", len(pushed), len(names), pushed)
	}
	for _, kind := range []string{"task", "stepaction"} {
		entry, err := tektonbundle.GetEntry(context.Background(), authn.DefaultKeychain, tektonbundle.RequestOptions{
			Bundle: repo + "/bundles/plumbline-policy-check:0.1", EntryName: "plumbline-policy-check", Kind: kind})
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if want := "kind: " + map[string]string{"task": "Task", "stepaction": "StepAction"}[kind] + "\n"; !strings.Contains(string(entry.Data()), want) {
			t.Errorf("the %s entry is not one:\n%.200s", kind, entry.Data())
		}
	}
}

// With a key, every Task and Pipeline carries the signature Tekton's
// trusted resources check: Tekton's own VerifyResource, with a
// VerificationPolicy holding the public key, passes the catalog file as
// written and fails it once anything in it changed.
func TestSigned(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalECPrivateKey(key)
	keyFile := filepath.Join(t.TempDir(), "cosign.key")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	signer, err := LoadSigner(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := Generate("../..", out, "0.1", fakeRefs(t), WithSigner(signer)); err != nil {
		t.Fatal(err)
	}
	if ps := problems(t, out); len(ps) > 0 {
		t.Fatalf("a signed catalog has problems:\n%s", strings.Join(ps, "\n"))
	}
	policy := &v1alpha1.VerificationPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "plumbline", Namespace: "ci"},
		Spec: v1alpha1.VerificationPolicySpec{
			Resources:   []v1alpha1.ResourcePattern{{Pattern: "^oci://registry.example/plumbline/bundles/.*"}},
			Authorities: []v1alpha1.Authority{{Name: "release", Key: &v1alpha1.KeyRef{Data: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))}}},
			Mode:        v1alpha1.ModeEnforce,
		},
	}
	_ = policy // what an operator applies; the controller verifies with it in e2e TestTrusted
	// The controller's check, over the bytes it checksums (tektonsig.Checksum: its
	// apimachinery's JSON; Tekton's VerifyResource in this module would
	// checksum v0.37's, which the controller never sees).
	verify := func(kind, file string) bool {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var meta *metav1.ObjectMeta
		var spec any
		switch kind {
		case "task":
			tk := &pipelinev1.Task{}
			if err := yaml.Unmarshal(data, tk); err != nil {
				t.Fatal(err)
			}
			tk.SetDefaults(context.Background()) // as the controller does before it verifies
			meta, spec = &tk.ObjectMeta, tk.Spec
		case "pipeline":
			p := &pipelinev1.Pipeline{}
			if err := yaml.Unmarshal(data, p); err != nil {
				t.Fatal(err)
			}
			p.SetDefaults(context.Background())
			meta, spec = &p.ObjectMeta, p.Spec
		}
		sig, err := base64.StdEncoding.DecodeString(meta.Annotations[SignatureAnnotation])
		if err != nil {
			return false
		}
		sum, err := tektonsig.Checksum(map[string]string{"task": "Task", "pipeline": "Pipeline"}[kind], meta, spec)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(sum)
		return ecdsa.VerifyASN1(&key.PublicKey, h[:], sig)
	}
	for _, kind := range []string{"task", "pipeline"} {
		files, _ := filepath.Glob(filepath.Join(out, kind, "*", "0.1", "*.yaml"))
		if len(files) == 0 {
			t.Fatalf("no %s", kind)
		}
		for _, f := range files {
			if !verify(kind, f) {
				t.Errorf("%s: its signature does not verify", f)
			}
		}
	}
	task := filepath.Join(out, "task/plumbline-report/0.1/plumbline-report.yaml")
	data, _ := os.ReadFile(task)
	os.WriteFile(task, []byte(strings.Replace(string(data), "default: error", "default: never", 1)), 0o644)
	if verify("task", task) {
		t.Error("a changed Task still verifies")
	}
	sa, _ := os.ReadFile(filepath.Join(out, "stepaction/plumbline-report/0.1/plumbline-report.yaml"))
	if strings.Contains(string(sa), SignatureAnnotation) {
		t.Error("a StepAction was signed: Tekton v1.9 does not verify StepActions")
	}
}

package policy

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/internal/testfs"
	"github.com/plumbline/plumbline/pkg/report"
)

// TestHomelabLibrary: the bundled library's own Rego tests pass, and on
// the example repository it finds the planted mistakes, each at its line.
func TestHomelabLibrary(t *testing.T) {
	lib, _ := filepath.Abs("../../policies/homelab")
	r, _, err := clitest.RunCheck(t, &Verify{}, lib, "-p", lib)
	if err != nil {
		t.Fatal(err)
	}
	if r.Counts["failed"] != 0 || r.Counts["tests"] < 20 {
		t.Fatalf("library tests: %v, findings %v", r.Counts, r.Findings)
	}

	r, _, err = clitest.RunCheck(t, &Check{}, "../../examples/homelab", "-p", lib, "--namespace", "homelab.*",
		"--repo-url", "https://git.home.arpa/homelab/infra.git", ".")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Location()+" "+f.Rule)
	}
	want := []string{
		"ansible/roles/technitium/defaults/main.yml:6 homelab.ansible/deny_plaintext_vars",
		// Rendered: the base is clean; prod's images entry brings :latest
		// back, dev's patch misspells a field; the Applications are
		// checked against the repository's paths and their project.
		"argocd/external-dns.yaml:3 k8s/schema-unchecked",
		"argocd/grafana.yaml:12 homelab.argocd/deny_missing_path",
		"argocd/grafana.yaml:13 homelab.argocd/deny_unpinned_revision",
		"argocd/project.yaml:1 k8s/schema-unchecked",
		"kubernetes/overlays/dev/debug.yaml:15 k8s/schema",
		"kubernetes/overlays/prod/kustomization.yaml:11 homelab.kubernetes/deny_latest",
		"terraform/envs/prod/terraform.tfvars:3 homelab.terraform/deny_secret_tfvars",
		"terraform/modules/proxmox-lxc/variables.tf:36 homelab.terraform/deny_secret_default",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
	if h := r.Findings[0].Help; h == "" {
		t.Error("library findings carry no help text from METADATA")
	}
}

// TestWaiverExpiry: a waiver works through its expiry day and is an error
// the day after.
func TestWaiverExpiry(t *testing.T) {
	dir := t.TempDir()
	testfs.Write(t, dir, "policy/p.rego", "package main\nimport rego.v1\ndeny contains \"no\" if input.x\n")
	testfs.Write(t, dir, "in.yaml", "x: true\n")
	testfs.Write(t, dir, "w.yaml", "waivers:\n  - rule: main/deny\n    files: [in.yaml]\n    reason: r\n    expires: 2026-11-25\n")
	for _, tc := range []struct {
		now      string
		expired  bool
		severity report.Severity
	}{
		{"2026-11-25T23:59:59Z", false, report.Note},
		{"2026-11-26T00:00:00Z", true, report.Error},
	} {
		now, _ := time.Parse(time.RFC3339, tc.now)
		r, _, err := clitest.RunCheck(t, &Check{Now: func() time.Time { return now }}, dir, "--waivers", "w.yaml", "in.yaml")
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(r.Findings, func(f report.Finding) bool { return f.Rule == "main/deny" })
		expired := slices.ContainsFunc(r.Findings, func(f report.Finding) bool { return f.Rule == RuleWaiverExpired })
		if i < 0 || r.Findings[i].Severity != tc.severity || expired != tc.expired {
			t.Errorf("at %s: findings %+v", tc.now, r.Findings)
		}
	}
}

// TestBundledLibrary: without --policy and without ./policy, the homelab
// library compiled into the binary is used, every one of its packages.
func TestBundledLibrary(t *testing.T) {
	// The library is read from the binary: nothing is written, not even
	// to a temporary directory (this test's own, so no other run's
	// leftovers matter; issue 30).
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	defer func() {
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("the check wrote to the temporary directory: %v", left)
		}
	}()
	testfs.Write(t, dir, "pod.yaml", "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: busybox\n")
	r, _, err := clitest.RunCheck(t, &Check{}, dir, "pod.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if r.Details["policies"] != "the bundled homelab library (docs/policies.md)" || !strings.Contains(r.Details["namespaces"], "homelab.kubernetes") {
		t.Errorf("policies = %q, namespaces = %q", r.Details["policies"], r.Details["namespaces"])
	}
	if !slices.ContainsFunc(r.Findings, func(f report.Finding) bool { return f.Rule == "homelab.kubernetes/deny_latest" && f.Line == 6 }) {
		t.Errorf("findings %+v", r.Findings)
	}
	// Its own tests are compiled for verify, not for a check.
	for _, tests := range []bool{false, true} {
		e, err := Load(Options{Policies: []string{BundledRef}, LibraryTests: tests})
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(e.Namespaces(), "homelab.kubernetes_test"); got != tests {
			t.Errorf("LibraryTests %v: namespaces %v", tests, e.Namespaces())
		}
	}
	v, _, err := clitest.RunCheck(t, &Verify{}, dir, "-p", BundledRef)
	if err != nil {
		t.Fatal(err)
	}
	if v.Counts["failed"] != 0 || v.Counts["tests"] < 20 {
		t.Errorf("verify %s: %v", BundledRef, v.Counts)
	}
}

// TestHostilePolicies: Rego a pull request wrote (the repository's policy/)
// reaches no network and no environment, and cannot exhaust memory; each
// is an error at its file and line, and the run ends in bounded time.
func TestHostilePolicies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a policy reached the network: %s", r.URL)
	}))
	defer srv.Close()
	t.Setenv("PLUMBLINE_TEST_SECRET", "tK3n-secret")
	tests := []struct{ name, rego, want string }{
		{"http.send", `deny contains msg if { r := http.send({"method": "get", "url": "` + srv.URL + `"}); msg := r.raw_body }`,
			"policy/p.rego:3: rego_type_error: undefined function http.send"},
		{"opa.runtime", `deny contains msg if { msg := opa.runtime().env.PLUMBLINE_TEST_SECRET }`,
			"policy/p.rego:3: rego_type_error: undefined function opa.runtime"},
		{"net.lookup_ip_addr", `deny contains msg if { ips := net.lookup_ip_addr("example.com"); msg := sprintf("%v", [ips]) }`,
			"policy/p.rego:3: rego_type_error: undefined function net.lookup_ip_addr"},
		{"numbers.range bomb", `deny contains msg if { n := count(numbers.range(1, 200000000)); msg := sprintf("%d", [n]) }`,
			"evaluation stopped: over the memory budget of 64 MiB (--max-memory)"},
		{"string doubling", `deny contains msg if { s := concat("", [x | some i in numbers.range(1, 30000000); x := "aaaaaaaaaaaaaaaa"]); msg := s }`,
			"evaluation stopped: over the memory budget of 64 MiB (--max-memory)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			testfs.Write(t, dir, "policy/p.rego", "package main\nimport rego.v1\n"+tt.rego+"\n")
			testfs.Write(t, dir, "in.yaml", "x: true\n")
			start := time.Now()
			r, _, err := clitest.RunCheck(t, &Check{}, dir, "--max-memory", "64", "in.yaml")
			if took := time.Since(start); took > 30*time.Second {
				t.Errorf("took %s", took)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
			if r != nil && r.Summary.Passed {
				t.Error("the report passed")
			}
			if err != nil && strings.Contains(err.Error(), "tK3n") {
				t.Error("the secret leaked")
			}
		})
	}
	// What a capabilities file allows, runs (conftest's --capabilities).
	dir := t.TempDir()
	testfs.Write(t, dir, "policy/p.rego", "package main\nimport rego.v1\ndeny contains msg if { msg := opa.runtime().env.PLUMBLINE_TEST_SECRET }\n")
	testfs.Write(t, dir, "in.yaml", "x: true\n")
	caps, err := json.Marshal(ast.CapabilitiesForThisVersion())
	if err != nil {
		t.Fatal(err)
	}
	testfs.Write(t, dir, "caps.json", string(caps))
	r, _, err := clitest.RunCheck(t, &Check{}, dir, "--capabilities", "caps.json", "in.yaml")
	if err != nil || len(r.Findings) != 1 || r.Findings[0].Message != "tK3n-secret" {
		t.Errorf("with a capabilities file: %v %+v", err, r)
	}
}

// A policy file that links to a mounted secret is refused before OPA's
// loader, whose parse errors quote the line, reads it.
func TestPolicySymlinkRefused(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(secret, []byte("tK3n-secret is not rego\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	testfs.Write(t, dir, "policy/p.rego", "package main\nimport rego.v1\n")
	testfs.Write(t, dir, "in.yaml", "x: true\n")
	if err := os.Symlink(secret, filepath.Join(dir, "policy", "leak.rego")); err != nil {
		t.Fatal(err)
	}
	r, _, err := clitest.RunCheck(t, &Check{}, dir, "in.yaml")
	if err == nil || !strings.Contains(err.Error(), "leak.rego: refused: a symlink that leads out of the scanned tree") ||
		strings.Contains(err.Error(), "tK3n") || r == nil || r.Summary.Passed {
		t.Errorf("error = %v", err)
	}
}

// parse_config_file reads only inside the calling policy's tree: a policy
// from the pull request cannot read a mounted secret through it.
func TestParseConfigFileStaysInside(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "token.json"), []byte(`{"token": "tK3n-secret"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rel, err := filepath.Rel(filepath.Join(dir, "policy"), filepath.Join(outside, "token.json"))
	if err != nil {
		t.Fatal(err)
	}
	testfs.Write(t, dir, "policy/p.rego", "package main\nimport rego.v1\ndeny contains msg if { msg := parse_config_file(\""+rel+"\").token }\n")
	if err := os.Symlink(filepath.Join(outside, "token.json"), filepath.Join(dir, "link.json")); err != nil {
		t.Fatal(err)
	}
	testfs.Write(t, dir, "policy/q.rego", "package main\nimport rego.v1\ndeny contains msg if { msg := parse_config_file(\"../link.json\").token }\n")
	testfs.Write(t, dir, "in.yaml", "x: true\n")
	r, _, err := clitest.RunCheck(t, &Check{}, dir, "in.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		if strings.Contains(f.Message, "tK3n") {
			t.Errorf("the secret was read: %+v", f)
		}
	}
}

// TestKustomizeBuildErrors: a kustomization that fails is an error
// finding at its line and the rest is still checked (exit 1); only when
// nothing at all could be checked is the run broken (exit 2).
func TestKustomizeBuildErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("k8s/broken/kustomization.yaml", "resources:\n  - missing.yaml\n")
	r, _, err := clitest.RunCheck(t, &Check{}, dir, "k8s")
	if err == nil {
		t.Fatalf("nothing could be checked, yet no error: %v", r.Findings)
	}
	write("k8s/good/kustomization.yaml", "resources:\n  - cm.yaml\n")
	write("k8s/good/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {count: 3}\n")
	r, _, err = clitest.RunCheck(t, &Check{}, dir, "k8s")
	if err != nil {
		t.Fatalf("one kustomization built, yet the run is broken: %v", err)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, fmt.Sprintf("%s %s %s", f.Location(), f.Rule, f.Severity))
	}
	want := []string{
		"k8s/broken/kustomization.yaml:2 policy/kustomize-error error",
		"k8s/good/cm.yaml:4 k8s/schema error",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestRuleErrorNamed: all of a namespace's rules run as one query; when it
// fails, the rules run one by one, so the error names the rule.
func TestRuleErrorNamed(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "policy"), 0o755)
	os.WriteFile(filepath.Join(dir, "policy", "p.rego"), []byte(`package main

import rego.v1

deny contains "fine" if input.kind

violation_conflict := "a" if input.kind
violation_conflict := "b" if input.kind
`), 0o644)
	os.WriteFile(filepath.Join(dir, "in.yaml"), []byte("kind: x\n"), 0o644)
	_, _, err := clitest.RunCheck(t, &Check{}, dir, "in.yaml")
	if err == nil || !strings.Contains(err.Error(), "main/violation_conflict: policy/p.rego:8: eval_conflict_error") {
		t.Fatalf("error %v, want one naming main/violation_conflict", err)
	}
}

// TestInputsOutsideWorkingDirectory: files under a PATH outside the
// working directory are read under their own directory, through one open
// reader each: the files there are checked, a symlink out of its
// directory is refused and never read.
func TestInputsOutsideWorkingDirectory(t *testing.T) {
	elsewhere := t.TempDir()
	testfs.Write(t, elsewhere, "secret.yaml", "token: tK3n-secret\n")
	testfs.Write(t, elsewhere, "inputs/a.yaml", "x: 1\n")
	testfs.Write(t, elsewhere, "inputs/sub/b.yaml", "x: 2\n")
	if err := os.Symlink("../secret.yaml", filepath.Join(elsewhere, "inputs", "leak.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../a.yaml", filepath.Join(elsewhere, "inputs", "sub", "up.yaml")); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	testfs.Write(t, dir, "policy/p.rego", "package main\nimport rego.v1\ndeny contains msg if { msg := sprintf(\"x is %v, token %v\", [input.x, object.get(input, \"token\", \"-\")]) }\n")
	r, _, err := clitest.RunCheck(t, &Check{}, dir, "--waivers", "", filepath.Join(elsewhere, "inputs"))
	if err == nil {
		t.Fatal("a refused input is not an error")
	}
	var got []string
	for _, f := range r.Findings {
		if strings.Contains(f.Message, "tK3n") {
			t.Errorf("the secret was read: %+v", f)
		}
		got = append(got, f.File+": "+f.Message)
	}
	slices.Sort(got)
	for _, want := range []string{"a.yaml: x is 1, token -", "sub/b.yaml: x is 2, token -", "leak.yaml: refused", "sub/up.yaml: refused"} {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, want) }) {
			t.Errorf("no finding %q in:\n%s", want, strings.Join(got, "\n"))
		}
	}
}

// TestKustomizeDeprecatedFields: a base with commonLabels that two
// overlays share is one note, at the field's line, in kustomize's words;
// nothing of it reaches the process's stderr.
func TestKustomizeDeprecatedFields(t *testing.T) {
	dir := t.TempDir()
	testfs.WriteAll(t, dir, map[string]string{
		"k8s/base/kustomization.yaml": "resources:\n  - cm.yaml\ncommonLabels:\n  app: x\n",
		"k8s/base/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n",
		"k8s/dev/kustomization.yaml":  "resources:\n  - ../base\nnamePrefix: dev-\n",
		"k8s/prod/kustomization.yaml": "resources:\n  - ../base\nnamePrefix: prod-\n",
	})
	read, write, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = write
	r, _, err := clitest.RunCheck(t, &Check{}, dir, "k8s")
	os.Stderr = stderr
	write.Close()
	printed, _ := io.ReadAll(read)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		if f.Rule == RuleKustomizeDeprecated {
			got = append(got, fmt.Sprintf("%s %s %s", f.Location(), f.Severity, f.Message))
		}
	}
	want := []string{"k8s/base/kustomization.yaml:3 note 'commonLabels' is deprecated. Please use 'labels' instead. Run 'kustomize edit fix' to update your Kustomization automatically."}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if strings.Contains(string(printed), "deprecated") {
		t.Errorf("kustomize printed to stderr: %q", printed)
	}
}

// TestPolicyErrorFirst: the policies compile while the tree is walked
// and rendered; a policy that does not compile is still the run's error,
// with its finding, whatever the inputs hold (a path not there, a
// kustomization that does not build), and without one the inputs' error
// is the run's.
func TestPolicyErrorFirst(t *testing.T) {
	for _, tc := range []struct {
		name, policy string
		args         []string
		want         string
	}{
		{"policy and path", "deny contains", []string{"missing.yaml"}, "rego_parse_error"},
		{"policy and kustomization", "deny contains", []string{"k"}, "rego_parse_error"},
		{"path only", "deny contains msg if { input.x; msg := \"x\" }", []string{"missing.yaml"}, "missing.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			testfs.WriteAll(t, dir, map[string]string{
				"policy/p.rego":        "package main\nimport rego.v1\n" + tc.policy + "\n",
				"k/kustomization.yaml": "resources: [nothere.yaml]\n",
			})
			r, _, err := clitest.RunCheck(t, &Check{}, dir, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want %q", err, tc.want)
			}
			if tc.want == "rego_parse_error" && (r == nil || !slices.ContainsFunc(r.Findings, func(f report.Finding) bool { return f.Rule == RuleRego })) {
				t.Errorf("report %+v: want the policy's finding", r)
			}
		})
	}
}

// TestReleasedInputsPlaceAlike: without the schema check a file's parsed
// input is dropped once its findings are placed (fileResult.input); the
// policies' findings, each at its file, line and column, are those of a
// run that keeps every input for the schema check. The example exercises
// rendered overlays and data.plumbline (evaluation after all parsing),
// the compat inputs plain files of every format.
func TestReleasedInputsPlaceAlike(t *testing.T) {
	lib, _ := filepath.Abs("../../policies/homelab")
	compat, _ := filepath.Abs("testdata/compat")
	for _, tc := range []struct {
		name, dir string
		args      []string
	}{
		{"homelab", "../../examples/homelab", []string{"-p", lib, "--namespace", "homelab.*", "--secrets=false", "."}},
		{"compat", compat, []string{"-p", "policy", "-d", "data", "--all-namespaces", "--secrets=false", "inputs"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			policies := func(schema string) []string {
				r, _, err := clitest.RunCheck(t, &Check{}, tc.dir, append([]string{"--schema=" + schema}, tc.args...)...)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, f := range r.Findings {
					if !strings.HasPrefix(f.Rule, "k8s/") {
						out = append(out, fmt.Sprintf("%s:%d:%d %s %s", f.File, f.Line, f.Column, f.Rule, f.Message))
					}
				}
				return out
			}
			kept := policies("true")
			if len(kept) == 0 {
				t.Fatal("no policy findings to compare")
			}
			if d := cmp.Diff(kept, policies("false")); d != "" {
				t.Errorf("findings with inputs released (-kept +released):\n%s", d)
			}
		})
	}
}

package terraform

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/diff"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/internal/testfs"
	"github.com/plumbline/plumbline/internal/tftest"
	"github.com/plumbline/plumbline/pkg/report"
)

// These tests drive the real terraform (or tofu) binary on PATH, and a real
// provider (internal/testprovider, plumbline.test/testlab/lab) installed by
// terraform init from a filesystem mirror: nothing is faked.

var pkgDir string

func TestMain(m *testing.M) {
	pkgDir, _ = os.Getwd()
	os.Exit(m.Run())
}

// needTerraform skips (or, under make test, fails) a test without the
// real terraform or tofu.
func needTerraform(t *testing.T) {
	t.Helper()
	if _, err := FindBinary(os.Getenv("PLUMBLINE_TERRAFORM")); err != nil {
		need.Missing(t, "needs the real terraform or tofu: %v", err)
	}
}

// run runs the check in dir (relative to this package) like the CLI would.
func run(t *testing.T, dir string, args ...string) (*report.Report, string, error) {
	t.Helper()
	needTerraform(t)
	if bin := os.Getenv("PLUMBLINE_TERRAFORM"); bin != "" {
		args = append([]string{"--terraform-bin", bin}, args...)
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(pkgDir, dir)
	}
	return clitest.RunCheck(t, &Check{}, dir, args...)
}

type loc struct {
	Rule, File string
	Line       int
}

func locs(r *report.Report, rules ...string) []loc {
	var out []loc
	for _, f := range r.Findings {
		if len(rules) == 0 || slices.Contains(rules, f.Rule) {
			out = append(out, loc{f.Rule, f.File, f.Line})
		}
	}
	return out
}

func TestStaticRules(t *testing.T) {
	r, _, err := run(t, "testdata", "--offline", "rules")
	if err != nil {
		t.Fatal(err)
	}
	want := []loc{
		{RuleUnused, "rules/child/main.tf", 1},
		{RuleUnused, "rules/child/main.tf", 6},
		{RuleUnused, "rules/child/main.tf", 11},
		{RuleModuleUnpinned, "rules/modules.tf", 2},
		{RuleModuleUnpinned, "rules/modules.tf", 11},
		{RuleUndeclaredVariable, "rules/modules.tf", 20},
		{RuleSuppression, "rules/modules.tf", 21}, // no reason: suppresses nothing
		{RuleUndeclaredVariable, "rules/modules.tf", 22},
		{RuleSuppression, "rules/modules.tf", 23},    // unknown rule
		{RuleSecretLiteral, "rules/providers.tf", 4}, // pm_password = "…"
		{RuleUndeclaredVariable, "rules/providers.tf", 5},
		{RuleSecretLiteral, "rules/providers.tf", 7}, // in a nested block
		{RuleUndeclaredVariable, "rules/providers.tf", 13},
		{RuleProxmoxTLSInsecure, "rules/proxmox.tf", 4},
		{RuleProxmoxPrivilegedLXC, "rules/proxmox.tf", 13}, // unprivileged left to its default, false
		{RuleSecretLiteral, "rules/proxmox.tf", 17},        // user_account's password
		{RuleProxmoxPrivilegedLXC, "rules/proxmox.tf", 24},
		{RuleSecretLiteral, "rules/proxmox.tf", 35}, // cipassword
		{RuleSecretLiteral, "rules/secrets.tfvars", 2},
		{RuleSecretNotSensitive, "rules/variables.tf", 1},
		{RuleUnused, "rules/variables.tf", 1},
		{RuleSecretLiteral, "rules/variables.tf", 4},
		{RuleUnused, "rules/variables.tf", 7},
		{RuleUnused, "rules/variables.tf", 13},
		{RuleVariableNoDescription, "rules/variables.tf", 20},
		{RuleVariableNoType, "rules/variables.tf", 20},
		{RuleSecretNotSensitive, "rules/variables.tf", 24}, // its secret-literal is suppressed
		{RuleUnused, "rules/variables.tf", 24},
		{RuleSecretNotSensitive, "rules/variables.tf", 30}, // trailing-comment suppression
		{RuleUnused, "rules/variables.tf", 30},
		{RuleProviderUnversioned, "rules/versions.tf", 7},
	}
	if diff := cmp.Diff(want, locs(r)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := r.Details[report.DetailSkipped]; got != "init and validate (--offline)" {
		t.Errorf("skipped = %q: --offline must say so", got)
	}
	if r.Summary.Files != 7 {
		t.Errorf("files = %d, want 7", r.Summary.Files)
	}
	for _, f := range r.Findings {
		if f.Snippet == "" || !strings.HasPrefix(f.Help, helpBase) {
			t.Errorf("%s at %s:%d: no snippet or help", f.Rule, f.File, f.Line)
		}
		// A secret the rule found is not repeated in the report.
		if f.Rule == RuleSecretLiteral && (strings.Contains(f.Snippet, "hunter2") || !strings.Contains(f.Snippet, `"****"`)) {
			t.Errorf("%s:%d: snippet %q shows the secret", f.File, f.Line, f.Snippet)
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	dir := t.TempDir()
	testfs.Write(t, dir, "a/main.tf", "resource \"x\" \"y\" {\n  name = \n}\n")
	testfs.Write(t, dir, "b/main.tf.json", "{\"variable\": {\"v\": {\"type\": \"string\"}}, }")
	testfs.Write(t, dir, "c/prod.tfvars", "a = \"unterminated\n")
	r, _, err := run(t, dir, "--offline")
	if err != nil {
		t.Fatal(err)
	}
	want := []loc{
		{RuleSyntax, "a/main.tf", 2},
		{RuleSyntax, "b/main.tf.json", 1},
		{RuleSyntax, "c/prod.tfvars", 1},
	}
	got := locs(r, RuleSyntax)
	got = slices.Compact(got) // HCL may report several problems on one line
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestHostileInput: each gives a finding or a clean error, never a panic.
func TestHostileInput(t *testing.T) {
	dir := t.TempDir()
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i*7 + i/13)
	}
	testfs.Write(t, dir, "garbage/main.tf", string(garbage))
	testfs.Write(t, dir, "utf8/main.tf", "variable \"a\" {\n  default = \"\xff\xfe\"\n}\n")
	testfs.Write(t, dir, "deep/main.tf", "locals {\n  x = "+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+"\n}\n")
	big := bytes.Repeat([]byte("# padding padding padding padding padding padding\n"), (50<<20)/50)
	testfs.Write(t, dir, "big/main.tf", string(big))
	if err := os.MkdirAll(filepath.Join(dir, "loop"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("main.tf", filepath.Join(dir, "loop", "main.tf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..", filepath.Join(dir, "loop", "up")); err != nil {
		t.Fatal(err)
	}
	// The mounted credentials, outside the repository: never read, never
	// quoted in a syntax error; and terraform is not run on such a tree.
	secret := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(secret, []byte("tK3n = {{{\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	testfs.Write(t, dir, "leak/ok.tf", "")
	if err := os.Symlink(secret, filepath.Join(dir, "leak", "main.tf")); err != nil {
		t.Fatal(err)
	}
	r, _, err := run(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range r.Findings {
		got[filepath.Dir(f.File)] += f.Rule + ": " + f.Message + "\n"
	}
	want := map[string]string{
		"garbage": RuleSyntax,
		"utf8":    RuleSyntax + ": Invalid character encoding: All input files must be UTF-8 encoded.",
		"deep":    RuleSyntax + ": brackets nested deeper than 256 levels",
		"big":     RuleRead + ": 52428800 bytes, over the 10485760-byte limit",
		"loop":    RuleRead + ": ",
		"leak":    RuleRead + ": refused: a symlink that leads out of the scanned tree\n" + RuleRead + ": refused: a symlink that leads out of the scanned tree; terraform, which would follow it, is not run",
	}
	for d, prefix := range want {
		if !strings.Contains(got[d], prefix) {
			t.Errorf("%s: got %q, want %q…", d, got[d], prefix)
		}
	}
	if strings.Contains(fmt.Sprint(got), "tK3n") || r.Details["terraform"] != "" || r.Summary.Passed {
		t.Errorf("secret quoted, or terraform run (%q), or passed: %v", r.Details["terraform"], got)
	}
}

// testMirror builds the test provider once into a filesystem mirror.
var testMirror = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "plumbline-mirror-")
	if err != nil {
		return "", err
	}
	return dir, tftest.BuildMirror(dir)
})

func mirror(t *testing.T) string {
	t.Helper()
	dir, err := testMirror()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestValidateFromMirror(t *testing.T) {
	m := mirror(t)
	r, progress, err := run(t, "testdata/validate", "--provider-mirror", m, "--jobs", "2")
	if err != nil {
		t.Fatal(err)
	}
	want := []loc{
		{RuleValidate, "bad/main.tf", 10}, // Missing required argument "name"
		{RuleFormat, "bad/main.tf", 15},
		{RuleValidate, "bad/main.tf", 16}, // Unsupported argument "corse"
	}
	if diff := cmp.Diff(want, locs(r)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if msg := r.Findings[2].Message; !strings.Contains(msg, `Did you mean "cores"?`) {
		t.Errorf("validate message lost terraform's detail: %q", msg)
	}
	if s := r.Findings[1].Snippet; !strings.Contains(s, "-  corse  = 4\n") || !strings.Contains(s, "+  corse = 4\n") {
		t.Errorf("fmt finding does not carry the diff:\n%s", r.Findings[1].Snippet)
	}
	for _, root := range []string{"bad", "good"} {
		if !strings.Contains(progress, "] "+root+": ") {
			t.Errorf("no progress line for %s in %q", root, progress)
		}
	}
	if strings.Contains(progress, "modules/vm") {
		t.Error("modules/vm is only a local module source; it was validated as a root module")
	}
	// The source tree is left as it was: no lock files, no .terraform.
	for _, leftover := range []string{"good/.terraform.lock.hcl", "bad/.terraform.lock.hcl", "good/.terraform", "bad/.terraform"} {
		if _, err := os.Stat(leftover); err == nil {
			t.Errorf("%s left in the source tree", leftover)
		}
	}
	if !strings.HasPrefix(r.Details["terraform"], "terraform ") && !strings.HasPrefix(r.Details["terraform"], "tofu ") {
		t.Errorf("details lack the terraform version: %v", r.Details)
	}
}

func TestAllDirsValidatesChildModules(t *testing.T) {
	m := mirror(t)
	_, progress, err := run(t, "testdata/validate", "--provider-mirror", m, "--all-dirs", "--include", "modules/**")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress, "[1/1] modules/vm: 0 findings") {
		t.Errorf("progress %q: want modules/vm validated alone", progress)
	}
}

// TestInitFailureNamesProvider: a mirror without the provider gives a
// finding that says which provider, why, and how to fix it; exit 2.
func TestInitFailureNamesProvider(t *testing.T) {
	empty := t.TempDir()
	r, _, err := run(t, "testdata/validate", "--provider-mirror", empty, "--exclude", "bad")
	if err == nil || !strings.Contains(err.Error(), "good: terraform init failed") {
		t.Fatalf("error = %v, want init failure", err)
	}
	got := locs(r, RuleInit)
	if diff := cmp.Diff([]loc{{RuleInit, "good/main.tf", 0}}, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	msg := r.Findings[len(r.Findings)-1].Message
	for _, want := range []string{"provider plumbline.test/testlab/lab could not be installed for good", "--provider-mirror DIR", "--offline"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"--jobs", "0"}, {"--provider-mirror", "/does/not/exist"}, {"--plugin-dir", "main.tf"}, {"no-such-dir"}} {
		_, _, err := run(t, "testdata", args...)
		if err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

func TestGlobs(t *testing.T) {
	tests := []struct {
		glob, path string
		match      bool
	}{
		{"envs/*", "envs/prod", true},
		{"envs/*", "envs/prod/sub", true}, // a glob covers what is below it
		{"envs/*", "modules/vm", false},
		{"**/lab", "terraform/envs/lab", true},
		{"**/lab", "lab", true},
		{"terraform/**/vm", "terraform/modules/vm", true},
		{"env?", "envs", true},
		{"env?", "env/s", false},
	}
	for _, tt := range tests {
		gs, err := globs("--include", []string{tt.glob})
		if err != nil {
			t.Fatal(err)
		}
		if got := gs[0].Match(tt.path); got != tt.match {
			t.Errorf("%q ~ %q = %v, want %v", tt.glob, tt.path, got, tt.match)
		}
	}
}

func TestTimeoutPerModule(t *testing.T) {
	m := mirror(t)
	_, progress, err := run(t, "testdata/validate", "--provider-mirror", m, "--timeout", "1ms", "--include", "good")
	if err == nil || !strings.Contains(err.Error(), "good: timed out after 1ms (--timeout)") {
		t.Fatalf("error = %v, want a timeout naming the module", err)
	}
	if !strings.Contains(progress, "good: failed") {
		t.Errorf("progress %q does not show the failure", progress)
	}
}

// A provider that hangs (and leaves a helper holding terraform's output)
// is ended with its whole process group when the module's time is up:
// the run takes the timeout, not the helper's hour, and says it failed.
func TestTimeoutEndsProviders(t *testing.T) {
	needTerraform(t)
	m := mirror(t)
	dir := t.TempDir()
	testfs.Write(t, dir, "root/main.tf", tftest.RequiredProviders+"\nresource \"lab_vm\" \"a\" {\n  name = \"a\"\n}\n")
	// Only what BaseEnv passes reaches terraform: the switch goes in there.
	hang := &Check{NewTerraform: func(bin string) Terraform {
		env := BaseEnv()
		env["PLUMBLINE_TESTPROVIDER_HANG"] = "1"
		return &Exec{Bin: bin, Env: env}
	}}
	args := []string{"--provider-mirror", m, "--fmt=false", "--timeout", "3s"}
	if bin := os.Getenv("PLUMBLINE_TERRAFORM"); bin != "" {
		args = append(args, "--terraform-bin", bin)
	}
	start := time.Now()
	r, _, err := clitest.RunCheck(t, hang, dir, args...)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("took %s with --timeout 3s", took)
	}
	if err == nil || !strings.Contains(err.Error(), "root: timed out after 3s (--timeout)") {
		t.Fatalf("error = %v, want the module's timeout", err)
	}
	if r.Summary.Passed {
		t.Errorf("a run that timed out passed: %+v", r.Findings)
	}
	if out, _ := exec.Command("pgrep", "-f", "^sleep 3600$").Output(); len(out) > 0 {
		exec.Command("pkill", "-f", "^sleep 3600$").Run()
		t.Errorf("the provider's helper survived the timeout: pids %s", out)
	}
}

// Providers are the repository's choice: they see no variable of the
// pod's beyond what a binary needs.
func TestBaseEnvPassesNoSecrets(t *testing.T) {
	t.Setenv("GITHUB_TOKEN", "tK3n")
	t.Setenv("TF_TOKEN_app_terraform_io", "tK3n")
	t.Setenv("TF_VAR_password", "tK3n")
	t.Setenv("TF_LOG", "TRACE")
	env := BaseEnv()
	for k, v := range env {
		if v == "tK3n" || k == "TF_LOG" {
			t.Errorf("%s passed to terraform", k)
		}
	}
	if env["PATH"] == "" || env["CHECKPOINT_DISABLE"] != "1" {
		t.Errorf("env %v", env)
	}
}

// terraform and its providers collect garbage at GOGC 200, within half
// the container's memory; what the caller set is passed on instead.
func TestGCEnv(t *testing.T) {
	for _, tt := range []struct {
		name  string
		set   map[string]string
		limit int64
		want  map[string]string
	}{
		{"laptop", nil, 0, map[string]string{"GOGC": "200"}},
		{"container", nil, 1 << 30, map[string]string{"GOGC": "200", "GOMEMLIMIT": "536870912"}},
		{"caller's GOGC", map[string]string{"GOGC": "50"}, 1 << 30, map[string]string{"GOGC": "50"}},
		{"caller's GOMEMLIMIT", map[string]string{"GOMEMLIMIT": "300MiB"}, 1 << 30, map[string]string{"GOMEMLIMIT": "300MiB"}},
		{"caller's both", map[string]string{"GOGC": "off", "GOMEMLIMIT": "1GiB"}, 1 << 30, map[string]string{"GOGC": "off", "GOMEMLIMIT": "1GiB"}},
	} {
		env := map[string]string{}
		gcEnv(env, func(k string) string { return tt.set[k] }, tt.limit)
		if diff := cmp.Diff(tt.want, env); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// An existing lock file is put back byte for byte, even when init would
// have rewritten it.
func TestLockFileRestored(t *testing.T) {
	m := mirror(t)
	dir := t.TempDir()
	testfs.Write(t, dir, "root/main.tf", tftest.RequiredProviders+"\nresource \"lab_vm\" \"a\" {\n  name = \"a\"\n}\n")
	lock := "# a lock file someone committed\n"
	testfs.Write(t, dir, "root/.terraform.lock.hcl", lock)
	r, _, err := run(t, dir, "--provider-mirror", m, "--fmt=false")
	if err != nil {
		t.Fatalf("%v\n%+v", err, r.Findings)
	}
	got, err := os.ReadFile(filepath.Join(dir, "root", ".terraform.lock.hcl"))
	if err != nil || string(got) != lock {
		t.Errorf("lock file now %q (%v)", got, err)
	}
}

// A module with a syntax error is not given to terraform init, which would
// stop at the same error and say it as a failed install (exit 2): the
// syntax finding is the result (exit 1), and the report says what it left
// out.
func TestSyntaxErrorSkipsInit(t *testing.T) {
	m := mirror(t)
	dir := t.TempDir()
	testfs.Write(t, dir, "broken/main.tf", tftest.RequiredProviders+"\nresource \"lab_vm\" \"a\" {\n  name = \n}\n")
	testfs.Write(t, dir, "good/main.tf", tftest.RequiredProviders+"\nresource \"lab_vm\" \"a\" {\n  name = \"a\"\n}\n")
	r, _, err := run(t, dir, "--provider-mirror", m, "--fmt=false")
	if err != nil {
		t.Fatalf("a syntax error broke the run: %v", err)
	}
	if got := locs(r, RuleSyntax); len(got) != 1 || got[0].File != "broken/main.tf" {
		t.Errorf("syntax findings %v", got)
	}
	if s := r.Details[report.DetailSkipped]; s != "fmt (--fmt=false), init and validate of broken (syntax errors)" {
		t.Errorf("skipped %q", s)
	}
}

// terraform test's files (.tftest.hcl, .tfmock.hcl) are syntax- and
// fmt-checked as terraform fmt -recursive checks them, and are no module:
// the variable rules and init leave them alone.
func TestTestFiles(t *testing.T) {
	dir := t.TempDir()
	testfs.Write(t, dir, "main.tf", "variable \"x\" {\n  type        = string\n  description = \"x\"\n}\n")
	testfs.Write(t, dir, "tests/a.tftest.hcl", "run \"a\" {\ncommand = plan\n  variables {\n    x =   \"y\"\n  }\n}\n")
	testfs.Write(t, dir, "tests/m.tfmock.hcl", "mock_resource \"lab_vm\" {\n  defaults = {\n    id = \"x\"\n  }\n}\n")
	testfs.Write(t, dir, "tests/broken.tftest.hcl", "run \"b\" {\n  command = \n}\n")
	r, _, err := run(t, dir, "--offline")
	if err != nil {
		t.Fatal(err)
	}
	want := []loc{
		{RuleUnused, "main.tf", 1}, // a test's variables {} is no use, as tflint has it
		{RuleFormat, "tests/a.tftest.hcl", 2},
		{RuleSyntax, "tests/broken.tftest.hcl", 2},
	}
	if diff := cmp.Diff(want, locs(r)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// An override file changes blocks declared elsewhere, as terraform merges
// them: its variable blocks lack type and description by design. A literal
// secret it sets is still one. A file without a final newline is formatted
// as terraform fmt -check sees it, also when a sibling does not parse.
func TestOverridesAndFinalNewline(t *testing.T) {
	dir := t.TempDir()
	testfs.Write(t, dir, "main.tf", "variable \"db_password\" {\n  type        = string\n  description = \"x\"\n  sensitive   = true\n}\n\nvariable \"size\" {\n  type        = number\n  description = \"x\"\n}")
	testfs.Write(t, dir, "main_override.tf", "variable \"size\" {\n  default = 3\n}\n\nvariable \"db_password\" {\n  default = \"hunter2\"\n}\n")
	testfs.Write(t, dir, "broken.tf", "locals {\n  x = \n}\n")
	r, _, err := run(t, dir, "--offline")
	if err != nil {
		t.Fatal(err)
	}
	want := []loc{
		{RuleSyntax, "broken.tf", 2},
		{RuleUnused, "main.tf", 1},
		{RuleUnused, "main.tf", 7},
		{RuleSecretLiteral, "main_override.tf", 6},
	}
	if diff := cmp.Diff(want, locs(r)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestInitlessAsAfterInit: a root module init would install nothing for is
// validated without init, and terraform says the same as after init (the
// naive loop's init && validate): valid, an undeclared variable, a
// required_version this terraform does not meet, a bad reference between
// built-in resources. A module with a provider block, a module call or a
// backend still gets init.
func TestInitlessAsAfterInit(t *testing.T) {
	needTerraform(t)
	tmp := t.TempDir()
	mods := map[string]string{
		"valid":      "variable \"n\" {\n  type = string\n  default = \"x\"\n}\nresource \"terraform_data\" \"a\" {\n  input = var.n\n}\n",
		"undeclared": "resource \"terraform_data\" \"a\" {\n  input = var.nope\n}\n",
		"version":    "terraform {\n  required_version = \">= 99.0\"\n}\nresource \"terraform_data\" \"a\" {}\n",
		"reference":  "resource \"terraform_data\" \"a\" {\n  input = terraform_data.b.output\n}\n",
		"remote":     "data \"terraform_remote_state\" \"s\" {\n  backend = \"local\"\n  config = { path = \"x.tfstate\" }\n}\n",
	}
	needInit := map[string]string{
		"provider":            "provider \"lab\" {}\nresource \"terraform_data\" \"a\" {}\n",
		"module":              "module \"m\" {\n  source = \"../valid\"\n}\n",
		"backend":             "terraform {\n  backend \"local\" {}\n}\nresource \"terraform_data\" \"a\" {}\n",
		"required":            tftest.RequiredProviders,
		"undeclared-provider": "resource \"lab_vm\" \"a\" {}\n",
	}
	for name, body := range mods {
		testfs.Write(t, tmp, name+"/main.tf", body)
	}
	for name, body := range needInit {
		testfs.Write(t, tmp, name+"/main.tf", body)
	}
	decide := func(name string) bool {
		d, sources := loadDir(filepath.Join(tmp, name))
		all := map[*dir][]*source{d: sources}
		return initless(d, all, providerNeeds(d, all, map[string]*dir{d.osPath: d}))
	}
	for name := range mods {
		if !decide(name) {
			t.Errorf("%s: init would install nothing, yet it is not initless", name)
		}
	}
	for name := range needInit {
		if decide(name) {
			t.Errorf("%s: needs init, yet it is initless", name)
		}
	}
	bin, _ := FindBinary(os.Getenv("PLUMBLINE_TERRAFORM"))
	tf := &Exec{Bin: bin, Env: BaseEnv()}
	ctx := context.Background()
	for name := range mods {
		d := filepath.Join(tmp, name)
		without, err := tf.Validate(ctx, d, map[string]string{"TF_DATA_DIR": filepath.Join(tmp, "data-"+name+"-1")})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		env := map[string]string{"TF_DATA_DIR": filepath.Join(tmp, "data-"+name+"-2")}
		if err := tf.Init(ctx, d, env, ""); err != nil && name != "version" {
			t.Fatalf("%s: init: %v", name, err)
		}
		with, err := tf.Validate(ctx, d, env)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(with.Diagnostics, without.Diagnostics); diff != "" || with.Valid != without.Valid {
			t.Errorf("%s: validate without init differs from after init (-with +without):\n%s", name, diff)
		}
	}
}

// TestFormattedForSureAgreesWithTerraform: every file formattedForSure
// passes is one terraform fmt leaves as it is, over a corpus of the
// package's and the example's Terraform files and variants of each
// (spacing, interpolations, legacy types, heredocs, comments); the
// rewrites terraform fmt makes beyond hclwrite are never passed.
func TestFormattedForSureAgreesWithTerraform(t *testing.T) {
	needTerraform(t)
	bin, _ := FindBinary(os.Getenv("PLUMBLINE_TERRAFORM"))
	var corpus [][]byte
	for _, root := range []string{"testdata", "../../examples/homelab/terraform"} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".tf") || strings.HasSuffix(p, ".tfvars")) {
				if data, err := os.ReadFile(p); err == nil {
					corpus = append(corpus, data)
				}
			}
			return nil
		})
	}
	for _, extra := range []string{
		"variable \"x\" {\n  type = \"string\"\n}\n",
		"variable \"x\" {\n  type = list\n}\n",
		"variable \"x\" {\n  type = map # legacy\n}\n",
		// terraform fmt rewrites a bare set too, and only the type of a
		// top-level variable block: a type attribute elsewhere stays.
		"variable \"x\" {\n  type = set\n}\n",
		"variable \"x\" {\n  type = \"set\"\n}\n",
		"variable \"x\" {\n  type = string\n  validation {\n    condition     = var.x != \"\"\n    error_message = \"Empty.\"\n  }\n}\n",
		"resource \"terraform_data\" \"a\" {\n  input = {\n    type = \"debian\"\n  }\n}\n",
		"resource \"proxmox_virtual_environment_container\" \"c\" {\n  operating_system {\n    type = \"debian\"\n  }\n  cpu {\n    type = list\n  }\n}\n",
		"variable \"x\" {\n  type    = list(string)\n  default = []\n}\n",
		"locals {\n  a = \"${var.x}\"\n}\n",
		"locals {\n  a = \"${var.x}-y\"\n  b = [\"${var.x}\"]\n}\n",
		// Interpolations terraform fmt leaves, and the ones it unwraps
		// (issue 37: a file with "${ is no longer sent to terraform fmt
		// unless one value is a single interpolation).
		"locals {\n  a = \"${var.x}-y\"\n}\n",
		"locals {\n  a = \"${var.x}${var.y}\"\n}\n",
		"locals {\n  a = \"${upper(\"${var.x}\")}\"\n}\n",
		"locals {\n  a = \"x-${var.y}\"\n  b = \"${var.z}\" # why\n}\n",
		"resource \"terraform_data\" \"a\" {\n  input = \"${var.name}-1\"\n  lifecycle {\n    replace_triggered_by = [terraform_data.b]\n  }\n  provisioner \"local-exec\" {\n    command = \"${var.cmd}\"\n  }\n}\n",
		"locals {\n  a = \"${var.x}%{if true}y%{endif}\"\n}\n",
		"locals {\n  a = [for s in var.l : \"${s}\"]\n  b = { k = \"${var.v}\" }\n}\n",
		"locals {\n  a = <<EOT\nhello ${var.x}\nEOT\n}\n",
		"locals {\n  a = { for k, v in var.m : k => v }\n  b = {for k, v in var.m : k => v}\n}\n",
		"resource \"terraform_data\" \"a\" {\n  input = var.x # why\n  // and\n  /* more */\n}\n",
		"locals {\n  a=1\n  bb = 2\n}\n",
		"locals {\n  a  = 1\n  bb = 2\n}",
		"output \"o\" {\n  value = [\n    1,\n    2,\n  ]\n}\n",
		// Unquoted block labels: terraform fmt quotes them (issue 31).
		"resource terraform_data b {}\n",
		"resource \"terraform_data\" b {\n  input = 1\n}\n",
		"module m {\n  source = \"./m\"\n}\n",
		"resource \"terraform_data\" \"a\" {\n  lifecycle {\n    ignore_changes = all\n  }\n  provisioner local-exec {\n    command = \"true\"\n  }\n}\n",
		// A comment between labels, which terraform fmt drops; escapes.
		"resource \"terraform_data\" /* why */ \"a\" {\n  input = 1\n}\n",
		"resource \"terraform_data\" \"a\" /* why */ {\n  input = 1\n}\n",
		"resource \"terraform_data\" \"a\u0062\" {\n  input = 1\n}\n",
		"resource \"terraform_data\" \"a-b_c\" {\n  input = 1\n}\n",
	} {
		corpus = append(corpus, []byte(extra))
	}
	dir := t.TempDir()
	sure, unsure := 0, 0
	for i, text := range corpus {
		// The variants: every corpus file also with its spacing squeezed.
		for j, v := range [][]byte{text, bytes.ReplaceAll(text, []byte("  "), []byte(" "))} {
			if !formattedForSure(v) {
				unsure++
				continue
			}
			sure++
			f := filepath.Join(dir, fmt.Sprintf("c%03d_%d.tf", i, j))
			if err := os.WriteFile(f, v, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(bin, "fmt", "-check", "-list=true", f).CombinedOutput()
			if err != nil {
				t.Errorf("terraform fmt would change a file formattedForSure passed (%v):\n%s\n--- file:\n%s", err, out, v)
			}
		}
	}
	if sure < 20 || unsure < 10 {
		t.Errorf("corpus too one-sided: %d formatted for sure, %d not", sure, unsure)
	}
	// A type attribute outside a top-level variable block is nothing
	// terraform fmt rewrites: no process for it (the example's Proxmox
	// modules sent three directories to terraform fmt for it).
	for _, p := range []string{"../../examples/homelab/terraform/modules/proxmox-lxc/main.tf", "../../examples/homelab/terraform/modules/proxmox-vm/main.tf"} {
		if data, err := os.ReadFile(p); err != nil || !formattedForSure(data) {
			t.Errorf("%s: not formatted for sure (%v)", p, err)
		}
	}
	t.Logf("%d files formatted for sure (terraform fmt agrees), %d left to terraform fmt", sure, unsure)
}

// TestFormatInProcessAsTerraform: what formatInProcess writes is what
// terraform fmt - writes, byte for byte, for every file of the test data,
// the example and the corpus repositories and four variants of each
// (spacing squeezed, "=" unspaced, blank lines doubled, the last newline
// dropped), wherever it says it can.
func TestFormatInProcessAsTerraform(t *testing.T) {
	needTerraform(t)
	bin, _ := FindBinary(os.Getenv("PLUMBLINE_TERRAFORM"))
	compared := 0
	for _, root := range []string{"testdata", "../../examples", "../../test/corpus/repos"} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".tf") {
				return nil
			}
			orig, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, text := range [][]byte{orig, bytes.ReplaceAll(orig, []byte("  "), []byte(" ")), bytes.ReplaceAll(orig, []byte(" = "), []byte("=")),
				bytes.ReplaceAll(orig, []byte("\n\n"), []byte("\n\n\n")), bytes.TrimRight(orig, "\n")} {
				mine, ok := formatInProcess(text, nil, nil)
				if !ok || bytes.Equal(mine, text) {
					continue
				}
				cmd := exec.Command(bin, "fmt", "-no-color", "-")
				cmd.Stdin = bytes.NewReader(text)
				out, err := cmd.Output()
				if err != nil {
					continue // terraform cannot parse this variant either
				}
				compared++
				if !bytes.Equal(out, mine) {
					t.Errorf("%s: formatInProcess differs from terraform fmt -:\n%s", p, diff.Diff("terraform", out, "ours", mine))
				}
			}
			return nil
		})
	}
	if compared < 200 {
		t.Errorf("only %d files compared", compared)
	}
	t.Logf("%d files formatted in process as terraform fmt - formats them", compared)
}

// TestFormatProcesses: a directory goes to terraform fmt -check only when
// it has two or more files not formatted for sure and one of them
// hclwrite leaves as it is (terraform fmt may or may not rewrite it); a
// file hclwrite changes is one terraform fmt changes, and only one holding
// what terraform fmt rewrites goes to terraform fmt - for its diff. The
// fmt findings are the files terraform fmt -check lists.
func TestFormatProcesses(t *testing.T) {
	needTerraform(t)
	tmp := t.TempDir()
	testfs.WriteAll(t, tmp, map[string]string{
		// One file to decide: no fmt -check.
		"a/main.tf":     "locals {\n  a=1\n}\n",
		"a/versions.tf": "terraform {\n  required_version = \">= 1.5\"\n}\n",
		// Two files hclwrite leaves alone, one with a legacy type: fmt -check.
		"b/one.tf": "variable \"x\" {\n  type = \"string\"\n}\n",
		"b/two.tf": "variable \"y\" {\n  type = list(string)\n}\n\nlocals {\n  z = \"${var.y[0]}\"\n}\n",
		// Two files hclwrite changes: each certainly changes, no fmt -check.
		"c/one.tf":       "locals {\n  a=1\n}\n",
		"c/two.tf":       "locals {\n  b =   2\n}\n",
		"d/main.tf":      "locals {\n  a = 1\n}\n",
		"d/variables.tf": "variable \"os\" {\n  type = string\n}\n\nresource \"terraform_data\" \"t\" {\n  input = { type = \"debian\" }\n}\n",
	})
	bin, _ := FindBinary(os.Getenv("PLUMBLINE_TERRAFORM"))
	tf := &countingTerraform{Exec: &Exec{Bin: bin, Env: BaseEnv()}}
	r, _, err := clitest.RunCheck(t, &Check{NewTerraform: func(string) Terraform { return tf }}, tmp, "--offline", "--all-dirs", "a", "b", "c", "d")
	if err != nil {
		t.Fatal(err)
	}
	// a/main.tf and c's two are formatted in process (formatInProcess).
	if got := [2]int32{tf.fmtDirs.Load(), tf.fmtFiles.Load()}; got != [2]int32{1, 2} {
		t.Errorf("terraform fmt -check %d times, fmt - %d times; want once (b) and twice (b's two, which hold what terraform fmt rewrites)", got[0], got[1])
	}
	var got []string
	for _, f := range r.Findings {
		if f.Rule == RuleFormat {
			got = append(got, f.File)
		}
	}
	cmd := exec.Command(bin, "fmt", "-check", "-list=true", "-recursive")
	cmd.Dir = tmp
	out, _ := cmd.Output()
	want := strings.Fields(string(out))
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fmt findings (-terraform fmt -check +ours):\n%s", diff)
	}
}

// When init fails, the finding names terraform's own cause and the fix
// for it: a committed lock file that no longer satisfies the constraints
// is not a registry problem, and "run offline" would not help.
func TestInitCauseNamed(t *testing.T) {
	m := mirror(t)
	dir := t.TempDir()
	testfs.Write(t, dir, "root/main.tf", tftest.RequiredProviders+"\nresource \"lab_vm\" \"a\" {\n  name = \"a\"\n}\n")
	testfs.Write(t, dir, "root/.terraform.lock.hcl", "provider \""+tftest.Provider+"\" {\n  version     = \"0.0.9\"\n  constraints = \"0.0.9\"\n  hashes = [\n    \"h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\n  ]\n}\n")
	r, _, _ := run(t, dir, "--provider-mirror", m, "--fmt=false")
	var msg, file string
	for _, f := range r.Findings {
		if f.Rule == RuleInit {
			msg, file = f.Message, f.File
		}
	}
	if file != "root/.terraform.lock.hcl" {
		t.Errorf("init finding at %q, want the lock file", file)
	}
	for _, want := range []string{"the committed .terraform.lock.hcl locks " + tftest.Provider + " 0.0.9", "terraform init -upgrade", "commit the lock file"} {
		if !strings.Contains(msg, want) {
			t.Errorf("init finding %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "--offline") {
		t.Errorf("the advice is to run offline: %q", msg)
	}
}

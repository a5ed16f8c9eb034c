package terraform

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/internal/testfs"
	"github.com/plumbline/plumbline/internal/tftest"
	"github.com/plumbline/plumbline/pkg/report"
)

// countingTerraform is the real terraform, counting the inits, gets and
// fmt runs (on a directory, on one file's text).
type countingTerraform struct {
	*Exec
	inits, gets, fmtDirs, fmtFiles atomic.Int32
}

func (c *countingTerraform) FormatCheck(ctx context.Context, dir string) ([]string, error) {
	c.fmtDirs.Add(1)
	return c.Exec.FormatCheck(ctx, dir)
}

func (c *countingTerraform) Format(ctx context.Context, text []byte) ([]byte, error) {
	c.fmtFiles.Add(1)
	return c.Exec.Format(ctx, text)
}

func (c *countingTerraform) Init(ctx context.Context, dir string, env map[string]string, pluginDir string) error {
	c.inits.Add(1)
	return c.Exec.Init(ctx, dir, env, pluginDir)
}

func (c *countingTerraform) Get(ctx context.Context, dir string, env map[string]string) error {
	c.gets.Add(1)
	return c.Exec.Get(ctx, dir, env)
}

// TestSharedInitAsOwnInit: root modules with the same providers and lock
// file share one init, and the findings are those of each module checked
// alone (its own init): valid modules, a warning in a root and in a
// called module (whose file names come from the module manifest), errors
// in a root and in a called module (both go back to their own init), a
// module calling none, and two modules with the same stale lock file
// (their group's init fails; each then says so itself). The tree is left
// as found.
func TestSharedInitAsOwnInit(t *testing.T) {
	m := mirror(t)
	needTerraform(t)
	tmp := t.TempDir()
	vm := tftest.RequiredProviders + "variable \"name\" {\n  type = string\n}\nresource \"lab_vm\" \"this\" {\n  name = var.name\n}\nmodule \"net\" {\n  source = \"./net/\"\n}\n"
	testfs.Write(t, tmp, "modules/vm/main.tf", vm)
	testfs.Write(t, tmp, "modules/vm/net/main.tf", "output \"cidr\" {\n  value = \"10.0.0.0/24\"\n}\n")
	// A provider block with a version is deprecated: a validate warning.
	testfs.Write(t, tmp, "modules/warn/main.tf", tftest.RequiredProviders+"provider \"lab\" {\n  version = \"0.1.0\"\n}\nresource \"lab_vm\" \"w\" {\n  name = \"w\"\n}\n")
	call := func(src, args string) string {
		return "module \"vm\" {\n  source = \"" + src + "\"\n" + args + "}\n"
	}
	stale := "provider \"" + tftest.Provider + "\" {\n  version     = \"0.0.9\"\n  constraints = \"0.0.9\"\n  hashes = [\n    \"h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\n  ]\n}\n"
	roots := map[string]string{
		"envs/a/main.tf":               tftest.RequiredProviders + call("../../modules/vm", "  name = \"a\"\n"),
		"envs/b/main.tf":               tftest.RequiredProviders + "provider \"lab\" {\n  version = \"0.1.0\"\n}\n" + call("../.././modules/vm", "  name = \"b\"\n"),
		"envs/c/main.tf":               tftest.RequiredProviders + "resource \"lab_vm\" \"c\" {\n  name = var.nope\n}\n",
		"envs/d/main.tf":               tftest.RequiredProviders + call("../../modules/vm", ""),
		"envs/f/main.tf":               tftest.RequiredProviders + "resource \"lab_vm\" \"f\" {\n  name = \"f\"\n}\n",
		"envs/g/main.tf":               tftest.RequiredProviders + call("./../../modules//warn", ""),
		"stale/e1/main.tf":             tftest.RequiredProviders + "resource \"lab_vm\" \"e\" {\n  name = \"e\"\n}\n",
		"stale/e2/main.tf":             tftest.RequiredProviders + "resource \"lab_vm\" \"e\" {\n  name = \"e\"\n}\n",
		"stale/e1/.terraform.lock.hcl": stale,
		"stale/e2/.terraform.lock.hcl": stale,
	}
	for p, body := range roots {
		testfs.Write(t, tmp, p, body)
	}
	args := func(paths ...string) []string {
		a := []string{"--provider-mirror", m, "--fmt=false"}
		if bin := os.Getenv("PLUMBLINE_TERRAFORM"); bin != "" {
			a = append(a, "--terraform-bin", bin)
		}
		return append(a, paths...)
	}
	bin, _ := FindBinary(os.Getenv("PLUMBLINE_TERRAFORM"))
	tf := &countingTerraform{Exec: &Exec{Bin: bin, Env: BaseEnv()}}
	together, _, _ := clitest.RunCheck(t, &Check{NewTerraform: func(string) Terraform { return tf }}, tmp, args("envs", "stale")...)

	var alone []report.Finding
	for _, d := range []string{"envs/a", "envs/b", "envs/c", "envs/d", "envs/f", "envs/g", "stale/e1", "stale/e2"} {
		r, _, _ := clitest.RunCheck(t, &Check{}, tmp, args(d)...)
		alone = append(alone, r.Findings...)
	}
	key := func(fs []report.Finding) []report.Finding {
		out := append([]report.Finding(nil), fs...)
		sort.Slice(out, func(i, j int) bool {
			a, b := out[i], out[j]
			if a.File != b.File {
				return a.File < b.File
			}
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Message < b.Message
		})
		return out
	}
	if diff := cmp.Diff(key(alone), key(together.Findings)); diff != "" {
		t.Errorf("findings with a shared init differ from each module's own (-alone +together):\n%s", diff)
	}
	// What the modules hold, so the comparison is not of two empty lists.
	var rules []string
	for _, f := range together.Findings {
		rules = append(rules, f.Rule+"@"+f.File)
	}
	for _, want := range []string{RuleValidate + "@envs/b/main.tf", RuleValidate + "@envs/c/main.tf", RuleValidate + "@modules/warn/main.tf", RuleInit + "@stale/e1/.terraform.lock.hcl", RuleInit + "@stale/e2/.terraform.lock.hcl"} {
		if !strings.Contains(strings.Join(rules, " "), want) {
			t.Errorf("no %s among %v", want, rules)
		}
	}
	// One init for the six envs' group, one each for the two whose shared
	// validate found an error (c, d), and both stale ones (their group's
	// init failed); no terraform get: the manifests were written.
	if got := tf.inits.Load(); got != 5 {
		t.Errorf("%d inits for 8 root modules, want 5", got)
	}
	if got := tf.gets.Load(); got != 0 {
		t.Errorf("%d terraform get runs, want none (manifests written)", got)
	}
	for _, d := range []string{"envs/a", "envs/b", "envs/c", "envs/d", "envs/f", "envs/g"} {
		if _, err := os.Stat(filepath.Join(tmp, d, lockFile)); err == nil {
			t.Errorf("%s: lock file left behind", d)
		}
	}
	for _, d := range []string{"stale/e1", "stale/e2"} {
		if b, _ := os.ReadFile(filepath.Join(tmp, d, lockFile)); string(b) != stale {
			t.Errorf("%s: lock file changed: %q", d, b)
		}
	}
}

// TestManifestAsTerraformGet: the module manifest written in place of
// terraform get is the one terraform get writes, for local sources written
// every way terraform accepts (trailing slash, ./.., doubled slashes,
// .. inside), nested calls, and several roots' relative paths.
func TestManifestAsTerraformGet(t *testing.T) {
	needTerraform(t)
	tmp := t.TempDir()
	testfs.Write(t, tmp, "mods/a/main.tf", "module \"g\" {\n  source = \"./sub/\"\n}\nmodule \"h\" {\n  source = \"../b\"\n}\n")
	testfs.Write(t, tmp, "mods/a/sub/main.tf", "output \"o\" {\n  value = 1\n}\n")
	testfs.Write(t, tmp, "mods/b/main.tf", "output \"o\" {\n  value = 2\n}\n")
	testfs.Write(t, tmp, "root/main.tf", "module \"a1\" {\n  source = \"../mods/a\"\n}\nmodule \"a2\" {\n  source = \"../mods/a/\"\n}\n"+
		"module \"a3\" {\n  source = \".././mods/a\"\n}\nmodule \"a4\" {\n  source = \"../mods/../mods/a\"\n}\nmodule \"a5\" {\n  source = \"./../mods//a\"\n}\n")
	testfs.Write(t, tmp, "deep/er/root/main.tf", "module \"b\" {\n  source = \"../../../mods/b\"\n}\nmodule \"local\" {\n  source = \"./here\"\n}\n")
	testfs.Write(t, tmp, "deep/er/root/here/main.tf", "module \"up\" {\n  source = \"../../../../mods/a/sub\"\n}\n")
	bin, _ := FindBinary(os.Getenv("PLUMBLINE_TERRAFORM"))
	tf := &Exec{Bin: bin, Env: BaseEnv()}
	type manifest struct {
		Modules []map[string]any
	}
	for _, root := range []string{"root", "deep/er/root"} {
		t.Run(root, func(t *testing.T) {
			t.Chdir(tmp)
			w, _, err := walkPaths([]string{"."}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			sources := (&Check{}).scan(w, &report.Report{Details: map[string]string{}})
			abs, _ := filepath.Abs(root)
			d := w.byOS[abs]
			if d == nil {
				t.Fatalf("%s not walked", root)
			}
			providerNeeds(d, sources, w.byOS)
			ours, ok := moduleManifest(d, sources, w.byOS)
			if !ok {
				t.Fatal("no manifest written")
			}
			data := t.TempDir()
			if err := tf.Get(context.Background(), filepath.Join(tmp, root), map[string]string{"TF_DATA_DIR": data}); err != nil {
				t.Fatal(err)
			}
			theirs, err := os.ReadFile(filepath.Join(data, "modules", "modules.json"))
			if err != nil {
				t.Fatal(err)
			}
			var a, b manifest
			if err := json.Unmarshal(theirs, &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(ours, &b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(a, b); diff != "" {
				t.Errorf("(-terraform get +ours):\n%s", diff)
			}
		})
	}
}

// TestManifestBounded: a module tree whose calls go round (writeRounds)
// is not written as a manifest, and the walk ends: terraform get
// (and its own init, on an error) decides there.
func TestManifestBounded(t *testing.T) {
	tmp := t.TempDir()
	writeRounds(t, tmp)
	t.Chdir(tmp)
	w, _, err := walkPaths([]string{"."}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sources := (&Check{}).scan(w, &report.Report{Details: map[string]string{}})
	for _, root := range []string{"envs/root", "self"} {
		abs, _ := filepath.Abs(root)
		d := w.byOS[abs]
		providerNeeds(d, sources, w.byOS)
		if m, ok := moduleManifest(d, sources, w.byOS); ok {
			t.Errorf("%s: a manifest for a module tree without end: %s", root, m)
		}
	}
}

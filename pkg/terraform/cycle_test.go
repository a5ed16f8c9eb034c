package terraform

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/testfs"
)

// TestModuleCycle: local module calls that go round (root -> a -> b -> a,
// and a module calling "./") are an error finding at the call that closes
// the round, exit 1 with init and validate skipped and said so; terraform
// init itself fails on both (a path too long), which was a broken run
// (exit 2) before.
func TestModuleCycle(t *testing.T) {
	needTerraform(t)
	dir := t.TempDir()
	writeRounds(t, dir)
	r, _, err := run(t, dir, "--fmt=false")
	if err != nil {
		t.Fatalf("a wrong configuration made a broken run: %v", err)
	}
	want := []loc{{RuleModuleCycle, "modules/b/main.tf", 2}, {RuleModuleCycle, "self/main.tf", 1}}
	if diff := cmp.Diff(want, locs(r)); diff != "" {
		t.Errorf("(-want +got):\n%s\n%+v", diff, r.Findings)
	}
	if r.Summary.Passed {
		t.Error("passed")
	}
	if msg := r.Findings[0].Message; !strings.Contains(msg, "modules/a → modules/b → modules/a") {
		t.Errorf("message does not name the round: %q", msg)
	}
	if s := r.Details["skipped"]; !strings.Contains(s, "init and validate of envs/root, self (module calls that go round)") {
		t.Errorf("skipped %q", s)
	}
	// The oracle: terraform's own init fails on both.
	bin, _ := FindBinary(os.Getenv("PLUMBLINE_TERRAFORM"))
	tf := &Exec{Bin: bin, Env: BaseEnv()}
	for _, root := range []string{"envs/root", "self"} {
		err := tf.Init(context.Background(), filepath.Join(dir, root), map[string]string{"TF_DATA_DIR": t.TempDir()}, "")
		if err == nil {
			t.Errorf("%s: terraform init accepted a round of module calls", root)
		}
	}
}

// writeRounds writes two module trees whose calls go round: envs/root ->
// modules/a -> modules/b -> modules/a, and self, which calls "./".
func writeRounds(t *testing.T, dir string) {
	t.Helper()
	testfs.Write(t, dir, "envs/root/main.tf", "module \"a\" {\n  source = \"../../modules/a\"\n}\n")
	testfs.Write(t, dir, "modules/a/main.tf", "module \"b\" {\n  source = \"../b\"\n}\n")
	testfs.Write(t, dir, "modules/b/main.tf", "\nmodule \"a\" {\n  source = \"../a\"\n}\n")
	testfs.Write(t, dir, "self/main.tf", "module \"me\" {\n  source = \"./\"\n}\n")
}

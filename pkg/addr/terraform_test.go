package addr

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestAddressesAsTerraform: the addresses read from each module are the
// ones terraform itself computes. Each address expression becomes an
// output of a module holding the same variables and locals, with
// count.index and each.key/each.value bound by a for expression over the
// resource's own count or for_each; terraform apply (no provider needed)
// evaluates them.
func TestAddressesAsTerraform(t *testing.T) {
	bin := ""
	for _, name := range []string{"terraform", "tofu"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("no terraform or tofu on PATH")
	}
	dirs := []string{"testdata/plan/terraform/bpg", "testdata/plan/terraform/telmate",
		"../../test/corpus/repos/Telmate+terraform-provider-proxmox/docs/examples"}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			p := &Plan{}
			files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
			src := map[string][]byte{}
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				src[f] = data
				p.Terraform(f, data)
			}
			m := p.tf[dir]
			if m == nil {
				t.Fatal("no module read")
			}
			var ours []string
			for _, c := range m.claims() {
				what, _, _ := strings.Cut(c.What, " (")
				ours = append(ours, what+" "+c.Addr.String())
			}
			theirs := evaluate(t, bin, m, src)
			slices.Sort(ours)
			slices.Sort(theirs)
			if d := cmp.Diff(theirs, ours); d != "" {
				t.Errorf("addresses (-terraform +ours):\n%s", d)
			}
			if len(ours) == 0 {
				t.Log("no static address in this module")
			}
		})
	}
}

// evaluate has terraform compute every address place of m.
func evaluate(t *testing.T, bin string, m *module, src map[string][]byte) []string {
	text := func(r interface{ SliceBytes([]byte) []byte }, file string) string {
		return string(r.SliceBytes(src[file]))
	}
	var mod strings.Builder
	type out struct{ name, what, kind string }
	var outs []out
	for i, b := range m.files {
		file := m.names[i]
		for _, blk := range b.Blocks {
			switch {
			case blk.Type == "variable" || blk.Type == "locals":
				mod.WriteString(text(blk.Range(), file) + "\n")
			case blk.Type == "resource" && len(blk.Labels) == 2:
				_, places, ok := machine(blk)
				if !ok {
					continue
				}
				for _, pl := range places {
					expr := text(pl.expr.Range(), file)
					name := fmt.Sprintf("o%d", len(outs))
					value := ""
					switch {
					case blk.Body.Attributes["count"] != nil:
						expr = strings.ReplaceAll(expr, "count.index", "i")
						value = fmt.Sprintf("{for i in range(%s) : format(\"[%%d]\", i) => %s}", text(blk.Body.Attributes["count"].Expr.Range(), file), expr)
					case blk.Body.Attributes["for_each"] != nil:
						expr = strings.NewReplacer("each.key", "k", "each.value", "v").Replace(expr)
						value = fmt.Sprintf("{for k, v in %s : format(\"[%%q]\", k) => %s}", text(blk.Body.Attributes["for_each"].Expr.Range(), file), expr)
					default:
						value = fmt.Sprintf("{\"\" = %s}", expr)
					}
					fmt.Fprintf(&mod, "output %q {\n  value = %s\n}\n", name, value)
					outs = append(outs, out{name, blk.Labels[0] + "." + blk.Labels[1], pl.kind})
				}
			}
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(mod.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run := func(args ...string) []byte {
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s\n%s", bin, args, err, b, mod.String())
		}
		return b
	}
	run("init", "-input=false", "-no-color")
	run("apply", "-auto-approve", "-input=false", "-no-color")
	var got map[string]struct{ Value map[string]string }
	if err := json.Unmarshal(run("output", "-json"), &got); err != nil {
		t.Fatal(err)
	}
	var res []string
	for _, o := range outs {
		for key, v := range got[o.name].Value {
			for _, a := range addresses(v, o.kind) {
				res = append(res, o.what+key+" "+a.String())
			}
		}
	}
	return res
}

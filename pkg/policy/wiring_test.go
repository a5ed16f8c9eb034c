package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/plumbline/plumbline/internal/clitest"
)

// TestWiring: a Service selecting no pod and routes to no Service are
// found at the line that wrote them (through an overlay), and a build that
// may make pods or Services it does not show (a HelmRelease) is not
// judged.
func TestWiring(t *testing.T) {
	ar, err := txtar.ParseFile("testdata/wiring.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var want []string
	for _, f := range ar.Files {
		if f.Name == "want" {
			want = strings.Fields(strings.ReplaceAll(string(f.Data), " k8s/", "|k8s/"))
			continue
		}
		p := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, _, err := clitest.RunCheck(t, &Check{}, dir, "--secrets=false", "--addresses=false", "--tekton=false", ".")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		if f.Rule == RuleServiceNoPods || f.Rule == RuleBackendNoService {
			got = append(got, fmt.Sprintf("%s:%d|%s", f.File, f.Line, f.Rule))
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

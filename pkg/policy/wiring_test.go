package policy

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/internal/testfs"
	"github.com/plumbline/plumbline/pkg/report"
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
		testfs.Write(t, dir, f.Name, string(f.Data))
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

// TestWiringBudget: Services whose selectors' labels are all common yet
// match no pod (each Service's candidates are half the pods) stop being
// judged at the budget, with a note saying how many were not.
func TestWiringBudget(t *testing.T) {
	defer func(b int) { wiringBudget = b }(wiringBudget)
	wiringBudget = 10000
	dir := t.TempDir()
	var b strings.Builder
	for i := range 400 {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p%d, labels: {%c: \"1\", i: \"%d\"}}\nspec: {containers: [{name: c, image: \"busybox:1.36\"}]}\n", i, 'a'+rune(i%2), i)
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata: {name: s%d}\nspec: {selector: {a: \"1\", b: \"1\"}, ports: [{port: 80}]}\n", i)
	}
	testfs.WriteAll(t, dir, map[string]string{"all.yaml": b.String(), "kustomization.yaml": "resources: [all.yaml]\n"})
	r, _, err := clitest.RunCheck(t, &Check{}, dir, "--secrets=false", "--addresses=false", "--tekton=false", ".")
	if err != nil {
		t.Fatal(err)
	}
	warned, notes := 0, []string{}
	for _, f := range r.Findings {
		switch {
		case f.Rule == RuleServiceNoPods && f.Severity == report.Warning:
			warned++
		case f.Rule == RuleServiceNoPods:
			notes = append(notes, f.Message)
		}
	}
	// 200 candidates a Service: 50 judged within 10,000, 350 not.
	if warned != 50 || len(notes) != 1 || !strings.Contains(notes[0], "350 Services from this one on not judged") {
		t.Errorf("%d warned, notes %q; want 50 and one note of 350 not judged", warned, notes)
	}
}

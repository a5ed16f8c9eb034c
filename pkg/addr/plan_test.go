package addr

import (
	"fmt"
	"github.com/plumbline/plumbline/pkg/tree"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPlan(t *testing.T) {
	var got []string
	t.Chdir("testdata/plan")
	fs, _, err := Tree(tree.NewWalk(), []string{"."}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%s:%d %s %s", f.File, f.Line, f.Rule, f.Severity))
		t.Log(f.Message)
	}
	want := []string{
		"inventory/hosts.ini:3 address/conflict error",
		"terraform/bpg/main.tf:13 address/conflict error",
		"terraform/bpg/main.tf:39 address/conflict error",
		"terraform/bpg/main.tf:27 address/dns-other-name warning",
		"inventory/hosts.ini:7 address/conflict error",
		"terraform/telmate/main.tf:13 address/conflict error",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
}

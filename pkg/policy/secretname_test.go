package policy

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
)

// TestLibrarySecretName: the bundled library's secret_name decides every
// name of the shared table (pkg/secret/testdata) as secret.Name
// does, so the two checks never disagree on what a
// credential is.
func TestLibrarySecretName(t *testing.T) {
	f, err := os.Open("../secret/testdata/secret-names.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	q, err := rego.New(rego.Query("data.homelab.terraform.secret_name(input.name)"),
		rego.Load([]string{"../../policies/homelab/terraform.rego"}, nil)).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, want, _ := strings.Cut(line, "\t")
		rs, err := q.Eval(context.Background(), rego.EvalInput(map[string]any{"name": name}))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := len(rs) > 0; got != (want == "true") {
			t.Errorf("secret_name(%q) = %v, want %s", name, got, want)
		}
		n++
	}
	if n < 30 {
		t.Fatalf("only %d names", n)
	}
}

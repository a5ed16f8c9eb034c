package terraform

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// SecretNames reads the shared table of names and whether each holds a
// credential (testdata/secret-names.txt).
func secretNames(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open("testdata/secret-names.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, want, _ := strings.Cut(line, "\t")
		out[name] = want == "true"
	}
	return out
}

func TestSecretName(t *testing.T) {
	for name, want := range secretNames(t) {
		if got := SecretName(name); got != want {
			t.Errorf("SecretName(%q) = %v, want %v (tokens %q)", name, got, want, nameTokens(name))
		}
	}
}

func TestSecretValue(t *testing.T) {
	tests := []struct {
		v    cty.Value
		want bool
	}{
		{cty.StringVal("hunter2-Long!"), true},
		{cty.StringVal("changeme"), true},
		{cty.StringVal(""), false},
		{cty.StringVal("rate(15 days)"), false},
		{cty.StringVal("arn:aws:secretsmanager:eu-west-1:1:secret:x"), false},
		{cty.StringVal("/etc/rancher/k3s/token"), false},
		{cty.StringVal("~/.ssh/id_ed25519"), false},
		{cty.NumberIntVal(1), false},
		{cty.True, false},
		{cty.NullVal(cty.String), false},
	}
	for _, tt := range tests {
		if got := secretValue(tt.v); got != tt.want {
			t.Errorf("secretValue(%#v) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

package terraform

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

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

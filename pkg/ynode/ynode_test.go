package ynode

import (
	"testing"

	"gopkg.in/yaml.v3"
)

func TestValue(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("a: 1\nb: {c: 2}\n3: x\n"), &doc); err != nil {
		t.Fatal(err)
	}
	m := doc.Content[0]
	for key, want := range map[string]string{"a": "1", "3": "x", "missing": ""} {
		got := ""
		if v := Value(m, key); v != nil {
			got = v.Value
		}
		if got != want {
			t.Errorf("Value(%q) = %q, want %q", key, got, want)
		}
	}
	if Value(nil, "a") != nil || Value(Value(m, "a"), "a") != nil {
		t.Error("a nil or scalar node has no keys")
	}
}

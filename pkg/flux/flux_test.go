package flux

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestString: Flux's envsubst forms, as its documentation gives them.
func TestString(t *testing.T) {
	v := &Vars{Known: map[string]string{"A": "1", "EMPTY": "", "D": "home.arpa"}, Hidden: map[string]bool{"S": true}}
	open := &Vars{Known: v.Known, Hidden: v.Hidden, Open: true}
	tests := []struct {
		vars        *Vars
		in, out     string
		ok, changed bool
	}{
		{v, "plain", "plain", true, false},
		{v, "${A}", "1", true, true},
		{v, "web.${D}", "web.home.arpa", true, true},
		{v, "${UNDEFINED}", "", true, true},
		{v, "${UNDEFINED:=d}", "d", true, true},
		{v, "${UNDEFINED:-d}", "d", true, true},
		{v, "${EMPTY:-d}", "d", true, true},
		{v, "${EMPTY-d}", "", true, true},
		{v, "${UNDEFINED-d}", "d", true, true},
		{v, "$${A}", "${A}", true, true},
		{v, "$A and ${A}", "$A and 1", true, true},
		{v, "${S}", "", false, true},
		{v, "${A^^}", "", false, true},
		{v, "${ unclosed", "${ unclosed", true, false},
		{open, "${UNDEFINED}", "", false, true},
		{open, "${A}", "1", true, true},
		{open, "${UNDEFINED:=d}", "", false, true},
	}
	for _, tt := range tests {
		out, ok, changed := tt.vars.String(tt.in)
		if out != tt.out || ok != tt.ok || changed != tt.changed {
			t.Errorf("String(%q) = %q, %v, %v; want %q, %v, %v", tt.in, out, ok, changed, tt.out, tt.ok, tt.changed)
		}
	}
}

// TestApply: a substituted value reads as YAML would read it after the
// substitution; what cannot be known is unknown; disabled is left alone;
// the scope is the most specific Kustomization's.
func TestApply(t *testing.T) {
	ks := map[string]any{"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"name": "apps", "namespace": "flux-system"},
		"spec": map[string]any{"path": "./apps", "postBuild": map[string]any{
			"substitute":     map[string]any{"R": "3", "ON": "true"},
			"substituteFrom": []any{map[string]any{"kind": "Secret", "name": "elsewhere"}}}}}
	scopes := Scopes([]Doc{{Value: ks, Where: "clusters/home/apps.yaml"}})
	if len(scopes) != 1 || scopes[0].Path != "apps" || !scopes[0].Vars.Open {
		t.Fatalf("scopes %+v", scopes)
	}
	if For(scopes, "apps/web/deploy.yaml") == nil || For(scopes, "appsx/deploy.yaml") != nil || For(scopes, "other") != nil {
		t.Error("For: wrong scope")
	}
	type unknown struct{}
	obj := map[string]any{"kind": "Deployment", "spec": map[string]any{"replicas": "${R}", "paused": "${ON}", "x": "${MAYBE}", "n": "v${R}"}}
	got := scopes[0].Apply(obj, unknown{})
	want := map[string]any{"kind": "Deployment", "spec": map[string]any{"replicas": json.Number("3"), "paused": true, "x": unknown{}, "n": "v3"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if obj["spec"].(map[string]any)["replicas"] != "${R}" {
		t.Error("Apply changed its input")
	}
	kept := map[string]any{"metadata": map[string]any{"labels": map[string]any{disabled: "disabled"}}, "spec": "${R}"}
	if d := cmp.Diff(kept, scopes[0].Apply(kept, unknown{})); d != "" {
		t.Errorf("disabled was substituted:\n%s", d)
	}
}

// FuzzString: any text substitutes without a panic, and what it gives is
// bounded.
func FuzzString(f *testing.F) {
	for _, s := range []string{"${A}", "$${A}", "${A:=${B}}", "${", "}${", "${A-}", "a${A}b${B:-c}d"} {
		f.Add(s)
	}
	v := &Vars{Known: map[string]string{"A": "xx", "B": ""}}
	f.Fuzz(func(t *testing.T, s string) {
		out, _, _ := v.String(s)
		if len(out) > maxExpansion+len(s)+2 {
			t.Fatalf("%d bytes from %d", len(out), len(s))
		}
	})
}

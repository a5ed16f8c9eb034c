package kube

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbline/plumbline/internal/need"
)

// jsonSchemas writes, for every built-in kind, the standalone strict JSON
// schema kubeconform validates with, made from the same Kubernetes 1.34
// definitions k8s/schema reads, as yannh/kubernetes-json-schema makes its
// own (openapi2jsonschema --expanded --strict): $refs inlined, objects with
// additionalProperties false, int-or-string and quantities as a string or
// a number, null allowed. kubeconform's schemas are downloaded from GitHub,
// which these machines cannot reach; generating them here keeps the
// validator (kubeconform's) independent of ours, over the same definitions.
func jsonSchemas(t *testing.T, dir string) string {
	t.Helper()
	b, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	var expand func(s *Schema, stack map[string]bool) map[string]any
	expand = func(s *Schema, stack map[string]bool) map[string]any {
		if s == nil {
			return map[string]any{}
		}
		if s.Ref != "" {
			name := strings.TrimPrefix(s.Ref, "#/definitions/")
			switch name {
			case intOrString:
				return map[string]any{"oneOf": []any{map[string]any{"type": []any{"string", "null"}}, map[string]any{"type": "integer"}}}
			case quantity:
				return map[string]any{"oneOf": []any{map[string]any{"type": []any{"string", "null"}}, map[string]any{"type": "number"}}}
			}
			if stack[name] {
				return map[string]any{} // recursive (JSONSchemaProps): anything
			}
			stack[name] = true
			defer delete(stack, name)
			return expand(b.defs[name], stack)
		}
		out := map[string]any{}
		if s.Format == "int-or-string" {
			return map[string]any{"oneOf": []any{map[string]any{"type": []any{"string", "null"}}, map[string]any{"type": "integer"}}}
		}
		if s.Type != "" {
			out["type"] = []any{s.Type, "null"}
		}
		if len(s.Required) > 0 {
			out["required"] = s.Required
		}
		if s.Properties != nil {
			props := map[string]any{}
			for k, p := range s.Properties {
				props[k] = expand(p, stack)
			}
			out["properties"] = props
			out["additionalProperties"] = false
		}
		if s.Items != nil {
			out["items"] = expand(s.Items, stack)
		}
		if a := s.AdditionalProperties; a != nil {
			if a.Schema != nil {
				out["additionalProperties"] = expand(a.Schema, stack)
			} else {
				out["additionalProperties"] = a.Allows
			}
		}
		return out
	}
	for av, def := range b.kinds {
		parts := strings.Split(av, "/") // [group/]version/kind
		kind, version, group := parts[len(parts)-1], parts[len(parts)-2], parts[len(parts)-2]
		if len(parts) == 3 {
			group = parts[0]
		}
		data, err := json.Marshal(expand(b.defs[def], map[string]bool{def: true}))
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("%s_%s_%s.json", strings.ToLower(kind), group, version)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "{{ .ResourceKind }}_{{ .Group }}_{{ .ResourceAPIVersion }}.json")
}

// TestKubeconformAgrees runs the real kubeconform (v0.7.0, built by make
// tools) in strict mode on the oracle corpus's built-in kinds and compares
// its verdict with k8s/schema's and the API server's (the corpus's names,
// which e2e's TestSchemaOracle checks against a real API server). Where
// they differ, the difference is the known one, and it is stated here.
func TestKubeconformAgrees(t *testing.T) {
	bin := need.Tool(t, "kubeconform", "v0.7.0")
	a, c := oracle(t)
	location := jsonSchemas(t, t.TempDir())
	// kubeconform checks a quantity's JSON type, not its format: the API
	// server and k8s/schema refuse "128MB" and "10 GB", kubeconform takes them.
	// Nor does it check format byte: the API server refuses a Secret's
	// data that is not base64, kubeconform takes it.
	knownMisses := map[string]bool{"refuse/deployment-bad-quantity.yaml": true, "refuse/pvc-storage-quantity.yaml": true,
		"refuse/secret-data-not-base64.yaml": true, "refuse/secret-data-unpadded.yaml": true}
	agree, compared := 0, 0
	for _, f := range a.Files {
		verdict, _, _ := strings.Cut(f.Name, "/")
		if verdict == "crd" || strings.Contains(string(f.Data), ".home.arpa/") {
			continue // custom kinds: kubeconform would need the CRD's schema converted
		}
		compared++
		cmd := exec.Command(bin, "-strict", "-summary", "-schema-location", location, "-")
		cmd.Stdin = strings.NewReader(string(f.Data))
		out, err := cmd.CombinedOutput()
		kcOK := err == nil
		_, problems := c.Check(parse(t, string(f.Data)))
		oursOK := len(problems) == 0
		switch {
		case knownMisses[f.Name]:
			if !kcOK {
				t.Errorf("%s: kubeconform now refuses it; drop it from knownMisses", f.Name)
			}
		case verdict == "refuse-semantic":
			// Values the API server validates; neither tool claims them.
			if !kcOK {
				t.Logf("%s: kubeconform refuses it too: %s", f.Name, firstLine(string(out)))
			}
			agree++
		case kcOK != oursOK:
			t.Errorf("%s: kubeconform ok=%v (%s), k8s/schema ok=%v %v", f.Name, kcOK, firstLine(string(out)), oursOK, problems)
		default:
			agree++
			if !kcOK {
				t.Logf("%s: kubeconform: %s", f.Name, firstLine(string(out)))
			}
		}
	}
	t.Logf("kubeconform and k8s/schema agree on %d of %d built-in manifests; %d are quantities or base64 kubeconform does not check", agree, compared, len(knownMisses))
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

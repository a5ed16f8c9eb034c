package tektoncheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"sigs.k8s.io/yaml"
)

// The API server checks an object against its CRD's OpenAPI schema before
// any webhook sees it, and the schema asks for things Tekton's Go
// validation does not (a step workspace's mountPath); kubectl apply fails
// there. So a file is checked against the schemas of the Tekton and
// Triggers modules go.mod pins, read from their config/ directories.
var crdModules = []string{"github.com/tektoncd/pipeline", "github.com/tektoncd/triggers"}

var (
	schemasOnce sync.Once
	schemas     map[string]validation.SchemaCreateValidator // "group/version/Kind"
	schemasErr  error
)

// crdSchema is the schema validator of apiVersion and kind, nil when no
// CRD of the pinned modules defines it (a Kubernetes core object).
func crdSchema(apiVersion, kind string) (validation.SchemaCreateValidator, error) {
	schemasOnce.Do(func() { schemas, schemasErr = loadSchemas() })
	return schemas[apiVersion+"/"+kind], schemasErr
}

// CRDDirsEnv, when set, holds the modules' directories (what go list -m
// prints for crdModules): make lint asks go once for the checks it runs.
const CRDDirsEnv = "PLUMBLINE_CRD_DIRS"

func loadSchemas() (map[string]validation.SchemaCreateValidator, error) {
	out := []byte(os.Getenv(CRDDirsEnv))
	if len(bytes.TrimSpace(out)) == 0 {
		var err error
		if out, err = exec.Command("go", append([]string{"list", "-m", "-f", "{{.Dir}}"}, crdModules...)...).Output(); err != nil {
			return nil, fmt.Errorf("find the Tekton modules' CRDs: go list -m: %w", err)
		}
	}
	m := map[string]validation.SchemaCreateValidator{}
	for _, dir := range strings.Fields(string(out)) {
		files, _ := filepath.Glob(filepath.Join(dir, "config", "300-crds", "*.yaml"))
		more, _ := filepath.Glob(filepath.Join(dir, "config", "300-*.yaml"))
		for _, f := range append(files, more...) {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			var crd apiextensionsv1.CustomResourceDefinition
			if err := yaml.Unmarshal(data, &crd); err != nil || crd.Kind != "CustomResourceDefinition" {
				continue
			}
			for _, v := range crd.Spec.Versions {
				if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
					continue
				}
				var internal apiextensions.JSONSchemaProps
				if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v.Schema.OpenAPIV3Schema, &internal, nil); err != nil {
					return nil, fmt.Errorf("%s: %w", f, err)
				}
				validator, _, err := validation.NewSchemaValidator(&internal)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", f, err)
				}
				m[crd.Spec.Group+"/"+v.Name+"/"+crd.Spec.Names.Kind] = validator
			}
		}
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("no CRD schemas under %s", strings.TrimSpace(string(out)))
	}
	return m, nil
}

// schemaProblems are what the API server's schema check says of d.
func schemaProblems(d *doc) []Problem {
	v, err := crdSchema(d.meta.APIVersion, d.meta.Kind)
	if err != nil {
		return []Problem{{Rule: RuleTekton, Msg: err.Error()}}
	}
	if v == nil {
		return nil
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(d.json))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return []Problem{{Rule: RuleTekton, Msg: err.Error()}}
	}
	var ps []Problem
	for _, e := range validation.ValidateCustomResource(nil, obj, v) {
		ps = append(ps, Problem{Rule: RuleTekton, Msg: "CRD schema: " + e.Error()})
	}
	return ps
}

package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/xeipuuv/gojsonschema"
	"gopkg.in/yaml.v3"
)

const schemaFile = "../../schemas/plumbline.schema.json"

// TestSchemaMatchesTypes: the JSON Schema editors check .plumbline.yaml
// with names exactly the keys Parse accepts, no more, no fewer.
func TestSchemaMatchesTypes(t *testing.T) {
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	var walk func(where string, s map[string]any, typ reflect.Type)
	walk = func(where string, s map[string]any, typ reflect.Type) {
		props, _ := s["properties"].(map[string]any)
		if s["additionalProperties"] != false {
			t.Errorf("%s: additionalProperties is not false: unknown keys would pass the editor", where)
		}
		var keys, fields []string
		for k := range props {
			keys = append(keys, k)
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			name := yamlName(f)
			if name == "" || name == "-" {
				continue
			}
			fields = append(fields, name)
			ft := f.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				sub, _ := props[name].(map[string]any)
				if items, ok := sub["items"].(map[string]any); ok {
					sub = items
				}
				if sub != nil {
					walk(where+"."+name, sub, ft)
				}
			}
		}
		slices.Sort(keys)
		slices.Sort(fields)
		if !slices.Equal(keys, fields) {
			t.Errorf("%s: schema keys %v, config keys %v", where, keys, fields)
		}
	}
	walk("config", schema, reflect.TypeOf(Config{}))
}

// TestSchemaValidates: what Parse accepts the schema accepts, and a
// mistake Parse refuses the schema refuses too.
func TestSchemaValidates(t *testing.T) {
	schema, err := gojsonschema.NewSchema(gojsonschema.NewReferenceLoader("file://" + abs(t, schemaFile)))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../examples/*/.plumbline.yaml")
	files = append(files, filepath.Join("testdata", "full.yaml"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if _, err := Parse(f, data); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if res := validate(t, schema, data); !res.Valid() {
			t.Errorf("%s: schema: %v", f, res.Errors())
		}
	}
	for _, bad := range []string{"version: 2\n", "version: 1\nterraform: {path: x}\n", "version: 1\ndns: {zones: [{zone: a}]}\n", "version: 1\nfailOn: fatal\n"} {
		if res := validate(t, schema, []byte(bad)); res.Valid() {
			t.Errorf("schema accepts %q", bad)
		}
		if _, err := Parse("bad.yaml", []byte(bad)); err == nil {
			t.Errorf("Parse accepts %q", bad)
		}
	}
}

func validate(t *testing.T, schema *gojsonschema.Schema, data []byte) *gojsonschema.Result {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	res, err := schema.Validate(gojsonschema.NewGoLoader(v))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func abs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

package helm

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
)

// validateSchemas is util.ValidateAgainstSchema with one difference: a
// $ref is resolved only inside the schema. Helm's loader fetches http(s)
// and reads file:// references, which a chart from a pull request must
// not make us do. A schema that needs one is not checked, and the
// reference is named in skipped (the chart still renders, as helm renders
// it when the values meet the schema).
func validateSchemas(ch *chart.Chart, values map[string]any, skipped *[]string) error {
	var sb strings.Builder
	if ch.Schema != nil {
		if err := validateSchema(values, ch.Schema, skipped); err != nil {
			fmt.Fprintf(&sb, "%s:\n", ch.Name())
			sb.WriteString(err.Error())
		}
	}
	for _, sub := range ch.Dependencies() {
		raw, ok := values[sub.Name()]
		if !ok || raw == nil {
			continue
		}
		m, ok := raw.(map[string]any)
		if !ok {
			fmt.Fprintf(&sb, "%s:\ninvalid type for values: expected object (map), got %T\n", sub.Name(), raw)
			continue
		}
		if err := validateSchemas(sub, m, skipped); err != nil {
			sb.WriteString(err.Error())
		}
	}
	if sb.Len() > 0 {
		return errors.New(sb.String())
	}
	return nil
}

func validateSchema(values common.Values, schemaJSON []byte, skipped *[]string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unable to validate schema: %s", r)
		}
	}()
	schema, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return err
	}
	c := jsonschema.NewCompiler()
	out := refused{skipped}
	c.UseLoader(jsonschema.SchemeURLLoader{"urn": permissive{}, "file": out, "http": out, "https": out})
	if err := c.AddResource("file:///values.schema.json", schema); err != nil {
		return err
	}
	n := len(*skipped)
	v, err := c.Compile("file:///values.schema.json")
	if err != nil && len(*skipped) > n {
		return nil
	}
	if err != nil {
		return err
	}
	if err := v.Validate(values.AsMap()); err != nil {
		msg := strings.TrimPrefix(err.Error(), "jsonschema validation failed with 'file:///values.schema.json#'\n")
		return errors.New(msg + "\n")
	}
	return nil
}

// permissive is Helm's default for an unresolved urn: reference.
type permissive struct{}

func (permissive) Load(string) (any, error) {
	return jsonschema.UnmarshalJSON(strings.NewReader("true"))
}

// refused is every other reference out of the schema: noted, and not
// loaded.
type refused struct{ urls *[]string }

func (r refused) Load(url string) (any, error) {
	if !slices.Contains(*r.urls, url) {
		*r.urls = append(*r.urls, url)
	}
	return nil, fmt.Errorf("%s: not fetched (rendering is offline)", url)
}

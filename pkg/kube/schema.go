package kube

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// Schema is the part of an OpenAPI schema the checks read; the built-in
// definitions and CRDs' openAPIV3Schema both decode into it.
type Schema struct {
	Type                 string             `json:"type,omitempty"`
	Format               string             `json:"format,omitempty"`
	Ref                  string             `json:"$ref,omitempty"`
	Properties           map[string]*Schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	Items                *Schema            `json:"items,omitempty"`
	AdditionalProperties *Additional        `json:"additionalProperties,omitempty"`
	Enum                 []any              `json:"enum,omitempty"`
	Preserve             bool               `json:"x-kubernetes-preserve-unknown-fields,omitempty"`
	IntOrString          bool               `json:"x-kubernetes-int-or-string,omitempty"`
	Embedded             bool               `json:"x-kubernetes-embedded-resource,omitempty"`
	GVK                  []GVK              `json:"x-kubernetes-group-version-kind,omitempty"`
}

// Additional is additionalProperties: a schema, or true/false.
type Additional struct {
	Schema *Schema
	Allows bool
}

func (a *Additional) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("true")) || bytes.Equal(b, []byte("false")) {
		a.Allows = b[0] == 't'
		return nil
	}
	a.Allows = true
	return json.Unmarshal(b, &a.Schema)
}

// GVK is a kind's group, version and name.
type GVK struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

func (g GVK) apiVersion() string {
	if g.Group == "" {
		return g.Version
	}
	return g.Group + "/" + g.Version
}

//go:embed kubernetes.json.gz
var builtinData []byte

// builtin is the embedded schema, read once.
var builtin = sync.OnceValues(func() (*builtinSet, error) {
	zr, err := gzip.NewReader(bytes.NewReader(builtinData))
	if err != nil {
		return nil, err
	}
	var doc struct {
		Version     string             `json:"version"`
		Definitions map[string]*Schema `json:"definitions"`
	}
	if err := json.NewDecoder(zr).Decode(&doc); err != nil {
		return nil, fmt.Errorf("built-in Kubernetes schema: %w", err)
	}
	b := &builtinSet{version: doc.Version, defs: doc.Definitions, kinds: map[string]string{}, groups: map[string]bool{}}
	for name, d := range doc.Definitions {
		for _, g := range d.GVK {
			b.kinds[g.apiVersion()+"/"+g.Kind] = name
			b.groups[g.Group] = true
		}
	}
	return b, nil
})

type builtinSet struct {
	version string
	defs    map[string]*Schema
	kinds   map[string]string // apiVersion/kind → definition
	groups  map[string]bool
}

// KubernetesVersion is the release whose schema the built-in kinds are
// checked against.
func KubernetesVersion() string {
	b, err := builtin()
	if err != nil {
		return ""
	}
	return b.version
}

// resolve follows a $ref to the built-in definitions.
func (b *builtinSet) resolve(s *Schema) *Schema {
	for i := 0; s != nil && s.Ref != "" && i < 8; i++ {
		s = b.defs[strings.TrimPrefix(s.Ref, "#/definitions/")]
	}
	return s
}

func group(apiVersion string) string {
	if g, _, ok := strings.Cut(apiVersion, "/"); ok {
		return g
	}
	return ""
}

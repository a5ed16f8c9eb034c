package kube

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Problem is one thing the API server would refuse, at a path inside the
// object (keys and indexes).
type Problem struct {
	Path []any
	Msg  string
}

// Outcome says what could be checked about one object.
type Outcome int

const (
	NotObject Outcome = iota // no apiVersion and kind: not a manifest
	Checked                  // against the built-in schema or a CRD
	Unchecked                // a custom kind with no CRD in the repository
	Skipped                  // a build-time kind (Kustomization): never applied
	Newer                    // a built-in kind at a version newer than the schema's release serves
)

// MaxProblems bounds what one object reports: past it, the object is
// broken enough.
const MaxProblems = 50

// Checker checks objects against the built-in kinds and the CRDs added.
type Checker struct {
	b    *builtinSet
	crds map[string]*Schema // apiVersion/kind → openAPIV3Schema
	// enums are the enum sets of the schemas checked so far: a CRD's
	// enum of 100,000 values was scanned, and listed in full, for every
	// value checked against it.
	enums map[*Schema]*enumSet
}

// enumSet is one schema's enum, looked up in constant time, and the list
// a message shows (at most ten values).
type enumSet struct {
	keys  map[string]bool
	shown string
}

// maxShownEnum is how many allowed values a message lists.
const maxShownEnum = 10

func (c *Checker) enum(s *Schema) *enumSet {
	if e := c.enums[s]; e != nil {
		return e
	}
	e := &enumSet{keys: make(map[string]bool, len(s.Enum))}
	for _, v := range s.Enum {
		if k, ok := enumKey(v); ok {
			e.keys[k] = true
		}
	}
	shown := s.Enum
	if len(shown) > maxShownEnum {
		shown = shown[:maxShownEnum]
	}
	e.shown = enumList(shown)
	if len(s.Enum) > maxShownEnum {
		e.shown += fmt.Sprintf(", … (%d in all)", len(s.Enum))
	}
	if c.enums == nil {
		c.enums = map[*Schema]*enumSet{}
	}
	c.enums[s] = e
	return e
}

// enumKey is v as equal compares it: a number by its value, whichever
// form it came in (float64 from a schema, json.Number from a document).
func enumKey(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return "s" + t, true
	case float64:
		return "n" + strconv.FormatFloat(t, 'g', -1, 64), true
	case json.Number:
		f, err := t.Float64()
		if err != nil {
			return "", false
		}
		return "n" + strconv.FormatFloat(f, 'g', -1, 64), true
	case bool:
		return "b" + strconv.FormatBool(t), true
	case nil:
		return "null", true
	}
	return "", false
}

// New returns a Checker of the built-in kinds.
func New() (*Checker, error) {
	b, err := builtin()
	if err != nil {
		return nil, err
	}
	return &Checker{b: b, crds: map[string]*Schema{}}, nil
}

// skipped groups hold kinds kustomize and kpt read, never applied.
var skipped = map[string]bool{"kustomize.config.k8s.io": true, "config.kubernetes.io": true, "kpt.dev": true}

// AddCRD reads a CustomResourceDefinition and checks its kinds from then
// on; it reports whether obj was one.
func (c *Checker) AddCRD(obj any) (bool, error) {
	m, _ := obj.(map[string]any)
	if m["kind"] != "CustomResourceDefinition" || m["apiVersion"] != "apiextensions.k8s.io/v1" {
		return false, nil
	}
	spec, _ := m["spec"].(map[string]any)
	grp, _ := spec["group"].(string)
	names, _ := spec["names"].(map[string]any)
	kind, _ := names["kind"].(string)
	versions, _ := spec["versions"].([]any)
	if grp == "" || kind == "" {
		return true, fmt.Errorf("CustomResourceDefinition without spec.group or spec.names.kind")
	}
	for _, v := range versions {
		vm, _ := v.(map[string]any)
		name, _ := vm["name"].(string)
		sch, _ := vm["schema"].(map[string]any)
		raw, ok := sch["openAPIV3Schema"]
		if name == "" || !ok {
			continue
		}
		data, err := json.Marshal(raw)
		if err != nil {
			return true, err
		}
		var s Schema
		if err := json.Unmarshal(data, &s); err != nil {
			return true, fmt.Errorf("%s %s: openAPIV3Schema: %w", kind, name, err)
		}
		c.crds[grp+"/"+name+"/"+kind] = &s
	}
	return true, nil
}

// Check checks one object (a decoded YAML document).
func (c *Checker) Check(obj any) (Outcome, []Problem) {
	m, ok := obj.(map[string]any)
	if !ok {
		return NotObject, nil
	}
	apiVersion, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	if apiVersion == "" || kind == "" {
		return NotObject, nil
	}
	grp := group(apiVersion)
	if skipped[grp] {
		return Skipped, nil
	}
	w := &walker{c: c}
	if sopsEncrypted(m) {
		// Flux (or sops -d before kubectl) decrypts it and drops the sops
		// key: check what is applied, and take each ENC[...] value for
		// the scalar it decrypts to, whatever its type.
		m = maps.Clone(m)
		delete(m, "sops")
		w.sops = true
	}
	if s := c.crds[apiVersion+"/"+kind]; s != nil {
		w.custom = true
		w.object(m, s, nil, true)
		return Checked, w.problems
	}
	def, ok := c.b.kinds[apiVersion+"/"+kind]
	if !ok {
		if c.newer(grp, apiVersion, kind) {
			return Newer, nil
		}
		if grp == "" && apiVersion != "v1" && !c.served(grp, kind) {
			// apiVersion: v1alpha1 with a kind the core group never had
			// (talhelper's TalosCluster, a tool's own config): not a
			// Kubernetes object; a core kind or v1 is checked as one.
			return Unchecked, nil
		}
		if c.b.groups[grp] {
			return Checked, []Problem{{Path: []any{"apiVersion"}, Msg: fmt.Sprintf(
				"%s %s is not served by Kubernetes %s (a removed or misspelt apiVersion or kind)", apiVersion, kind, c.b.version)}}
		}
		return Unchecked, nil
	}
	w.value(m, c.b.defs[def], nil)
	return Checked, w.problems
}

// newer reports whether apiVersion is a later version of a kind the
// schema's release serves only at earlier ones (admissionregistration
// v1 MutatingAdmissionPolicy, beta in 1.34, GA in 1.35): a repository for
// a newer Kubernetes, not a mistake. A removed version (extensions/v1beta1
// Deployment) ranks below the served one, and stays an error.
func (c *Checker) newer(grp, apiVersion, kind string) bool {
	want, ok := versionRank(apiVersion[strings.LastIndexByte(apiVersion, '/')+1:])
	if !ok {
		return false
	}
	served := false
	for key := range c.b.kinds {
		// key is group/version/kind, or version/kind in the core group.
		i := strings.LastIndexByte(key, '/')
		av, k := key[:i], key[i+1:]
		g, v := "", av
		if j := strings.LastIndexByte(av, '/'); j >= 0 {
			g, v = av[:j], av[j+1:]
		}
		if k != kind || g != grp {
			continue
		}
		r, ok := versionRank(v)
		if !ok || r >= want {
			return false
		}
		served = true
	}
	return served
}

// served reports whether the schema's release serves kind in group grp
// at any version.
func (c *Checker) served(grp, kind string) bool {
	for key := range c.b.kinds {
		i := strings.LastIndexByte(key, '/')
		g := ""
		if j := strings.LastIndexByte(key[:i], '/'); j >= 0 {
			g = key[:j]
		}
		if key[i+1:] == kind && g == grp {
			return true
		}
	}
	return false
}

// versionRank orders Kubernetes API versions as the API server does:
// v1alpha1 < v1beta1 < v1 < v2alpha1 < v2.
func versionRank(v string) (int, bool) {
	m := apiVersionRE.FindStringSubmatch(v)
	if m == nil {
		return 0, false
	}
	major, _ := strconv.Atoi(m[1])
	stage := 2
	switch m[2] {
	case "alpha":
		stage = 0
	case "beta":
		stage = 1
	}
	minor := 0
	if m[3] != "" {
		minor, _ = strconv.Atoi(m[3])
	}
	return major*1_000_000 + stage*1_000 + minor, true
}

var apiVersionRE = regexp.MustCompile(`^v([0-9]+)(?:(alpha|beta)([0-9]+))?$`)

type walker struct {
	c        *Checker
	custom   bool
	sops     bool
	problems []Problem
}

// Unknown stands for a value known only when the object is applied (a
// Flux post-build variable whose value is not in the repository): it is
// taken for whatever the field wants.
type Unknown struct{}

// sopsEncrypted reports whether a document is a SOPS-encrypted file: its
// top-level sops key holds SOPS's metadata (mac, lastmodified).
func sopsEncrypted(m map[string]any) bool {
	meta, ok := m["sops"].(map[string]any)
	if !ok {
		return false
	}
	_, mac := meta["mac"]
	_, modified := meta["lastmodified"]
	return mac || modified
}

// encrypted is a SOPS-encrypted value: ENC[AES256_GCM,data:...,type:int].
func encrypted(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, "ENC[") && strings.HasSuffix(s, "]")
}

func (w *walker) add(p []any, format string, args ...any) {
	if len(w.problems) < MaxProblems {
		msg := fmt.Sprintf(format, args...)
		if !strings.HasPrefix(msg, "unknown field") && len(p) > 0 {
			msg = fieldPath(p) + ": " + msg
		}
		w.problems = append(w.problems, Problem{Path: slices.Clone(p), Msg: msg})
	}
}

// Kinds the API decodes specially.
const (
	quantity    = "io.k8s.apimachinery.pkg.api.resource.Quantity"
	intOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
)

func (w *walker) value(v any, s *Schema, p []any) {
	if s == nil || v == nil || len(w.problems) >= MaxProblems {
		return // null decodes as the zero value everywhere
	}
	if w.sops && encrypted(v) {
		return // its type is the decrypted value's
	}
	if _, ok := v.(Unknown); ok {
		return
	}
	if s.Ref != "" {
		switch strings.TrimPrefix(s.Ref, "#/definitions/") {
		case quantity:
			w.quantity(v, p)
			return
		case intOrString:
			w.intOrString(v, p)
			return
		}
		s = w.c.b.resolve(s)
		if s == nil {
			return
		}
	}
	if s.IntOrString || s.Format == "int-or-string" {
		w.intOrString(v, p)
		return
	}
	if len(s.Enum) > 0 {
		e := w.c.enum(s)
		k, ok := enumKey(v)
		if ok && !e.keys[k] || !ok && !slices.ContainsFunc(s.Enum, func(e any) bool { return equal(e, v) }) {
			w.add(p, "%s is not one of %s", show(v), e.shown)
		}
	}
	switch s.Type {
	case "object":
		w.object(v, s, p, false)
	case "array":
		list, ok := v.([]any)
		if !ok {
			w.add(p, "want a list, got %s", show(v))
			return
		}
		for i, e := range list {
			w.value(e, s.Items, append(p, i))
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			w.add(p, "want a string, got %s", show(v))
		} else if s.Format == "byte" {
			// []byte in the API: base64, as encoding/json decodes it
			// (padding required, line breaks skipped).
			if _, err := base64.StdEncoding.DecodeString(str); err != nil {
				w.add(p, "want base64 (a Secret's data; stringData takes plain text), got %s", show(v))
			}
		}
	case "integer":
		if !isInteger(v) {
			w.add(p, "want an integer, got %s", show(v))
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			w.add(p, "want a number, got %s", show(v))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			w.add(p, "want true or false, got %s", show(v))
		}
	case "":
		if s.Properties != nil {
			w.object(v, s, p, false)
		}
	}
}

// object checks a mapping: its fields known, required ones present. top
// is a custom resource's root, where apiVersion, kind and metadata are
// always allowed.
func (w *walker) object(v any, s *Schema, p []any, top bool) {
	m, ok := v.(map[string]any)
	if !ok {
		w.add(p, "want an object, got %s", show(v))
		return
	}
	for _, r := range s.Required {
		if _, ok := m[r]; !ok {
			w.add(p, "missing required field %q", r)
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		// A custom resource's (or embedded object's) metadata is always
		// ObjectMeta to the API server, whatever the CRD's schema says of
		// it: controller-gen writes metadata: {type: object}, which read
		// literally would make name and labels unknown fields.
		if k == "metadata" && (top || s.Embedded) {
			w.value(m[k], &Schema{Ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}, append(p, k))
			continue
		}
		if prop, ok := s.Properties[k]; ok {
			w.value(m[k], prop, append(p, k))
			continue
		}
		switch {
		case top && (k == "apiVersion" || k == "kind"):
		case s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil:
			w.value(m[k], s.AdditionalProperties.Schema, append(p, k))
		case s.AdditionalProperties != nil && s.AdditionalProperties.Allows, s.Preserve:
		case s.Type == "" && s.Properties == nil:
		case w.custom && s.Embedded && (k == "apiVersion" || k == "kind"):
		default:
			w.add(append(p, k), "unknown field %q", fieldPath(append(p, k)))
		}
	}
}

// quantity accepts what resource.Quantity's JSON decoding accepts: a
// string or a number that parses as a quantity.
func (w *walker) quantity(v any, p []any) {
	var s string
	switch t := v.(type) {
	case string:
		s = t
	case json.Number:
		s = string(t)
	default:
		w.add(p, "want a quantity (like 500m, 128Mi), got %s", show(v))
		return
	}
	if _, err := resource.ParseQuantity(s); err != nil {
		w.add(p, "%s is not a quantity (like 500m, 128Mi, 2Gi)", show(v))
	}
}

func (w *walker) intOrString(v any, p []any) {
	switch v.(type) {
	case string:
	case json.Number:
		if !isInteger(v) {
			w.add(p, "want an integer or a string, got %s", show(v))
		}
	default:
		w.add(p, "want an integer or a string, got %s", show(v))
	}
}

func isInteger(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	if _, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return true
	}
	return false
}

func equal(a, b any) bool {
	if an, ok := a.(float64); ok {
		if bn, ok := b.(json.Number); ok {
			f, err := bn.Float64()
			return err == nil && f == an
		}
	}
	return a == b
}

func enumList(e []any) string {
	parts := make([]string, len(e))
	for i, v := range e {
		parts[i] = show(v)
	}
	return strings.Join(parts, ", ")
}

// show quotes a value for a message, briefly.
func show(v any) string {
	switch t := v.(type) {
	case string:
		if len(t) > 40 {
			t = t[:40] + "…"
		}
		return strconv.Quote(t)
	case json.Number:
		return string(t)
	case bool:
		return strconv.FormatBool(t)
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%v", v)
}

// fieldPath writes a path as kubectl does: spec.containers[0].image.
func fieldPath(p []any) string {
	var b strings.Builder
	for _, e := range p {
		switch t := e.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", t)
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(t)
		}
	}
	return b.String()
}

// Builtin reports whether apiVersion's group is one of Kubernetes' own in
// the built-in schema's release (apps/v1, v1, networking.k8s.io/v1).
func (c *Checker) Builtin(apiVersion string) bool {
	return c.b.groups[group(apiVersion)]
}

// Serves reports whether the built-in schema's release serves kind at
// apiVersion.
func (c *Checker) Serves(apiVersion, kind string) bool {
	_, ok := c.b.kinds[apiVersion+"/"+kind]
	return ok
}

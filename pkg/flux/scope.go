package flux

import (
	"encoding/base64"
	"fmt"
	"path"
	"strings"
)

// Doc is a decoded document and where it comes from: the slash-separated,
// repository-relative file it was read from, or the directory of the
// kustomization that rendered it.
type Doc struct {
	Value any
	Where string
}

// Scope is one Flux Kustomization that substitutes: the directory it
// builds (spec.path, repository-relative, "." for the root) and its
// variables.
type Scope struct {
	Name string // namespace/name of the Kustomization
	Path string
	Vars Vars
}

// disabled is the label or annotation that keeps an object from being
// substituted.
const disabled = "kustomize.toolkit.fluxcd.io/substitute"

// Scopes finds every Flux Kustomization among docs that substitutes (a
// postBuild with at least one variable or source: Flux substitutes
// nothing otherwise), with its variables read from the ConfigMaps and
// Secrets in docs that substituteFrom names. The GitRepository it builds
// from is taken to be this repository: a homelab's Kustomizations point
// at the repository Flux was bootstrapped from.
func Scopes(docs []Doc) []Scope {
	var out []Scope
	for _, d := range docs {
		m, _ := d.Value.(map[string]any)
		api, _ := m["apiVersion"].(string)
		if m["kind"] != "Kustomization" || !strings.HasPrefix(api, "kustomize.toolkit.fluxcd.io/") {
			continue
		}
		spec, _ := m["spec"].(map[string]any)
		post, _ := spec["postBuild"].(map[string]any)
		inline, _ := post["substitute"].(map[string]any)
		from, _ := post["substituteFrom"].([]any)
		if len(inline) == 0 && len(from) == 0 {
			continue
		}
		meta, _ := m["metadata"].(map[string]any)
		ns, _ := meta["namespace"].(string)
		name, _ := meta["name"].(string)
		p, _ := spec["path"].(string)
		s := Scope{Name: ns + "/" + name, Path: cleanPath(p), Vars: Vars{Known: map[string]string{}, Hidden: map[string]bool{}}}
		for _, f := range from {
			ref, _ := f.(map[string]any)
			kind, _ := ref["kind"].(string)
			rname, _ := ref["name"].(string)
			optional, _ := ref["optional"].(bool)
			if !s.Vars.read(docs, kind, ns, rname) && !optional {
				s.Vars.Open = true // in the cluster, not in the repository
			}
		}
		// Inline values win over those from sources.
		for k, v := range inline {
			s.Vars.Known[k] = fmt.Sprint(v)
			delete(s.Vars.Hidden, k)
		}
		out = append(out, s)
	}
	return out
}

// read adds the variables of the ConfigMap or Secret named (in namespace
// ns, or any when the Kustomization names none) and reports whether it
// is in docs.
func (v *Vars) read(docs []Doc, kind, ns, name string) bool {
	for _, d := range docs {
		m, _ := d.Value.(map[string]any)
		if m["kind"] != kind || m["apiVersion"] != "v1" {
			continue
		}
		meta, _ := m["metadata"].(map[string]any)
		if meta["name"] != name || ns != "" && meta["namespace"] != nil && meta["namespace"] != ns {
			continue
		}
		_, sops := m["sops"].(map[string]any)
		set := func(k string, val any, b64 bool) {
			s, ok := val.(string)
			if !ok {
				return
			}
			if sops && strings.HasPrefix(s, "ENC[") {
				v.Hidden[k] = true
				delete(v.Known, k)
				return
			}
			if b64 {
				dec, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					v.Hidden[k] = true
					return
				}
				s = string(dec)
			}
			v.Known[k] = s
			delete(v.Hidden, k)
		}
		data, _ := m["data"].(map[string]any)
		for k, val := range data {
			set(k, val, kind == "Secret")
		}
		if kind == "Secret" {
			sd, _ := m["stringData"].(map[string]any)
			for k, val := range sd {
				set(k, val, false)
			}
		}
		return true
	}
	return false
}

func cleanPath(p string) string {
	p = path.Clean("/" + strings.TrimSpace(p))
	if p == "/" {
		return "."
	}
	return strings.TrimPrefix(p, "/")
}

// For returns the scope that applies to what comes from where (the most
// specific Kustomization whose path holds it), or nil.
func For(scopes []Scope, where string) *Scope {
	var best *Scope
	for i := range scopes {
		s := &scopes[i]
		if s.Path == "." || where == s.Path || strings.HasPrefix(where, s.Path+"/") {
			if best == nil || len(s.Path) > len(best.Path) {
				best = s
			}
		}
	}
	return best
}

// Apply is the object as s's Kustomization applies it: substituted, unless
// it is labelled or annotated substitute: disabled. Values that cannot be
// known here are unknown.
func (s *Scope) Apply(obj any, unknown any) any {
	m, _ := obj.(map[string]any)
	meta, _ := m["metadata"].(map[string]any)
	for _, f := range []string{"annotations", "labels"} {
		if marks, ok := meta[f].(map[string]any); ok && marks[disabled] == "disabled" {
			return obj
		}
	}
	out, _ := s.Vars.Value(obj, unknown)
	return out
}

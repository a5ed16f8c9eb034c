package tekton

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// doc is one Tekton resource of a file.
type doc struct {
	kind, name string
	file       string
	node       *yaml.Node // the top mapping
}

// decl is what a Task, Pipeline or StepAction declares.
type decl struct {
	kind       string
	params     map[string]bool // name -> has a default
	workspaces map[string]bool // name -> optional
	file       string
	line       int
	ours       bool // one of Plumbline's own
}

// value is the value of key in mapping m, or nil.
func value(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// path follows keys through nested mappings.
func path(m *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		m = value(m, k)
	}
	return m
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// items are a sequence's elements, or none.
func items(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// declare reads the params and workspaces a spec declares.
func declare(kind string, spec *yaml.Node, file string, line int) *decl {
	d := &decl{kind: kind, params: map[string]bool{}, workspaces: map[string]bool{}, file: file, line: line}
	for _, p := range items(value(spec, "params")) {
		if n := scalar(value(p, "name")); n != "" {
			d.params[n] = value(p, "default") != nil
		}
	}
	for _, w := range items(value(spec, "workspaces")) {
		if n := scalar(value(w, "name")); n != "" {
			d.workspaces[n] = scalar(value(w, "optional")) == "true"
		}
	}
	return d
}

// isTekton says whether apiVersion is Tekton Pipelines' (tekton.dev).
func isTekton(apiVersion string) bool {
	return strings.HasPrefix(apiVersion, "tekton.dev/")
}

package tekton

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/pkg/ynode"
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

// path follows keys through nested mappings.
func path(m *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		m = ynode.Value(m, k)
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
	for _, p := range items(ynode.Value(spec, "params")) {
		if n := scalar(ynode.Value(p, "name")); n != "" {
			d.params[n] = ynode.Value(p, "default") != nil
		}
	}
	for _, w := range items(ynode.Value(spec, "workspaces")) {
		if n := scalar(ynode.Value(w, "name")); n != "" {
			d.workspaces[n] = scalar(ynode.Value(w, "optional")) == "true"
		}
	}
	return d
}

// isTekton says whether apiVersion is Tekton Pipelines' (tekton.dev).
func isTekton(apiVersion string) bool {
	return strings.HasPrefix(apiVersion, "tekton.dev/")
}

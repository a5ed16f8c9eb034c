// Package ynode reads yaml.v3 node trees, where a check needs the lines
// of what it reads (the secret scan, the Tekton check).
package ynode

import "gopkg.in/yaml.v3"

// Value is the value of key in mapping m, or nil.
func Value(m *yaml.Node, key string) *yaml.Node {
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

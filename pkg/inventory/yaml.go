package inventory

import (
	"gopkg.in/yaml.v3"
)

// maxDepth bounds the nesting of children groups read.
const maxDepth = 50

// FromYAML reads an inventory in the YAML format of ansible's yaml
// inventory plugin: top-level groups, each a mapping of hosts, children
// and vars. ok is false when n is not one (a top-level value that is not
// a mapping). A plugin: file is a dynamic inventory.
func FromYAML(n *yaml.Node) (inv *Inventory, ok bool) {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil, false
	}
	inv = &Inventory{Groups: map[string][]string{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "plugin" {
			inv.Dynamic = true
			return inv, true
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		v := n.Content[i+1]
		if v.Kind != yaml.MappingNode && !(v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
			return nil, false
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		inv.group(n.Content[i].Value, n.Content[i+1], 0)
	}
	return inv, true
}

// group reads one group's mapping.
func (inv *Inventory) group(name string, g *yaml.Node, depth int) {
	if depth > maxDepth {
		inv.Ranges = true // not read whole: callers treat it as unsure
		return
	}
	if _, ok := inv.Groups[name]; !ok {
		inv.Groups[name] = nil
	}
	if g.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(g.Content); i += 2 {
		k, v := g.Content[i].Value, g.Content[i+1]
		switch k {
		case "hosts":
			if v.Kind != yaml.MappingNode {
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				hn := v.Content[j]
				h := inv.host(hn.Value, hn.Line)
				inv.Groups[name] = append(inv.Groups[name], hn.Value)
				vars := v.Content[j+1]
				if vars.Kind != yaml.MappingNode {
					continue
				}
				for m := 0; m+1 < len(vars.Content); m += 2 {
					if val := vars.Content[m+1]; val.Kind == yaml.ScalarNode {
						h.Vars[vars.Content[m].Value] = Var{Value: val.Value, Line: val.Line}
					}
				}
			}
		case "children":
			if v.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(v.Content); j += 2 {
					inv.group(v.Content[j].Value, v.Content[j+1], depth+1)
				}
			}
		}
	}
}

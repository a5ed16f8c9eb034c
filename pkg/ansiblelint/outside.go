package ansiblelint

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tree"
)

// RulePathOutside is an error: a file the project names for Ansible to read
// (vars_files, include_vars, a file lookup, an inventory) that is outside
// the project. Ansible's syntax check reads it and quotes it in its errors
// (a mounted secret, /proc/1/environ), so ansible-lint is not run.
const RulePathOutside = "ansible/path-outside"

// fileLookup matches lookup('file', 'PATH') and query("ansible.builtin.file", "PATH").
var fileLookup = regexp.MustCompile(`\b(?:lookup|query|q)\(\s*['"](?:ansible\.builtin\.)?(?:file|template|first_found|fileglob|ini|csvfile)['"]\s*,\s*['"]([^'"]+)['"]`)

// outside reports the paths doc names for Ansible to read that resolve out
// of the project; file is the YAML file's OS path.
func (p *project) outside(file string, doc *yaml.Node) {
	dir := filepath.Dir(file)
	check := func(n *yaml.Node, path, what string) {
		if path == "" || strings.Contains(path, "{{") && !strings.HasPrefix(path, "/") {
			return // templated: resolved only by Ansible
		}
		if strings.Contains(path, "{{") {
			path = path[:strings.Index(path, "{{")]
		}
		if p.inside(dir, path) {
			return
		}
		p.refused = true
		p.add(report.Finding{Rule: RulePathOutside, Severity: report.Error, File: relPath(file), Line: n.Line, Column: n.Column, Help: helpBase + "hostile-input",
			Message: fmt.Sprintf("%s %s is outside the project: Ansible would read it, and its errors quote what they read; ansible-lint is not run on %s", what, report.Excerpt(path, 120), relPath(p.root))})
	}
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || depth > 200 {
			return
		}
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, depth+1)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				switch k.Value {
				case "vars_files":
					for _, s := range scalars(v) {
						check(s, s.Value, "vars_files entry")
					}
				case "include_vars", "ansible.builtin.include_vars", "ansible.legacy.include_vars":
					if f := strings.Fields(v.Value); v.Kind == yaml.ScalarNode && len(f) > 0 {
						check(v, f[0], "include_vars")
					}
					if v.Kind == yaml.MappingNode {
						for j := 0; j+1 < len(v.Content); j += 2 {
							if key := v.Content[j].Value; key == "file" || key == "dir" || key == "_raw_params" {
								check(v.Content[j+1], v.Content[j+1].Value, "include_vars "+key)
							}
						}
					}
				}
				walk(v, depth+1)
			}
		case yaml.ScalarNode:
			for _, m := range fileLookup.FindAllStringSubmatch(n.Value, -1) {
				check(n, m[1], "file lookup of")
			}
		}
	}
	walk(doc, 0)
}

// scalars are the string scalars of a node that is one or a list of them.
func scalars(n *yaml.Node) []*yaml.Node {
	switch n.Kind {
	case yaml.ScalarNode:
		return []*yaml.Node{n}
	case yaml.SequenceNode:
		var out []*yaml.Node
		for _, c := range n.Content {
			out = append(out, scalars(c)...)
		}
		return out
	}
	return nil
}

// inventoryOutside refuses an inventory ansible.cfg names out of the
// project (ansible reads it, and quotes it when it does not parse).
func (p *project) inventoryOutside() {
	for _, inv := range p.cfg.inventory {
		if !p.inside(p.root, inv) {
			p.refused = true
			p.add(report.Finding{Rule: RulePathOutside, Severity: report.Error, File: relPath(filepath.Join(p.root, "ansible.cfg")), Help: helpBase + "hostile-input",
				Message: fmt.Sprintf("inventory %s is outside the project: Ansible would read it; ansible-lint is not run on %s", report.Excerpt(inv, 120), relPath(p.root))})
		}
	}
}

// inside reports whether path, relative to dir unless absolute, stays in
// the project (lexically: a symlink out of it is refused by the walk).
func (p *project) inside(dir, path string) bool {
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	root, err := filepath.Abs(p.root)
	if err != nil {
		return false
	}
	abs, err := filepath.Abs(path)
	return err == nil && tree.Within(root, abs)
}

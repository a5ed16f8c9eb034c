package ansiblelint

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/pkg/report"
)

// Rules of the preflight that read the plays themselves: mistakes
// ansible-lint does not see (docs/rules/ansible.md).
const (
	RuleNotifyNoHandler = "ansible/notify-no-handler"
	RuleHostKeyChecking = "ansible/host-key-checking-off"
)

const rulesHelp = "https://github.com/plumbline/plumbline/blob/main/docs/rules/ansible.md#"

// notify is a task's notify of one handler, where it is written.
type notify struct {
	name, file string
	line       int
}

// plays is what the play rules gather from every YAML file of a project.
type plays struct {
	handlers map[string]bool // handler names and listen topics, as written
	notifies []notify
	roles    map[string]bool     // roles the plays and tasks name
	unsure   bool                // a handler name ansible templates: no notify is judged
	byDir    map[string][]string // handler names of each handlers/ directory
	hosts    []hostsPlay         // the plays' hosts patterns
	books    map[string]bool     // directories holding a playbook, cleaned OS paths

	// For --changes, by OS path of the file that writes them: the roles
	// it names, the files it names (imports, includes, vars_files, a
	// task's src), and whether it holds a play.
	cur       string
	uses      map[string][]string
	refs      map[string][]string
	playbooks map[string]bool
}

// gather adds what one YAML document (of osPath, root-relative rel) holds.
func (pl *plays) gather(p *project, rel, osPath string, n *yaml.Node) {
	inHandlers := slices.Contains(strings.Split(filepath.ToSlash(filepath.Dir(rel)), "/"), "handlers")
	dir := ""
	if filepath.Base(filepath.Dir(osPath)) == "handlers" {
		dir = filepath.Dir(osPath)
	}
	var walk func(n *yaml.Node, handlerList bool, depth int)
	walk = func(n *yaml.Node, handlerList bool, depth int) {
		if n == nil || depth > 200 {
			return
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, handlerList, depth+1)
			}
		case yaml.MappingNode:
			// A role's meta/main.yml: its dependencies bring handlers.
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "dependencies" {
					pl.roleList(n.Content[i+1])
				}
			}
		case yaml.SequenceNode:
			for _, item := range n.Content {
				if item.Kind != yaml.MappingNode {
					continue
				}
				if handlerList {
					pl.handler(item, dir)
				}
				pl.task(osPath, item)
				if p != nil && !isPlay(item) {
					p.secretNoLog(osPath, item)
				}
				if depth == 1 && isPlay(item) {
					if pl.books == nil {
						pl.books, pl.playbooks = map[string]bool{}, map[string]bool{}
					}
					pl.books[filepath.Clean(filepath.Dir(osPath))] = true
					pl.playbooks[osPath] = true
				}
				pl.fileRefs(item)
				for i := 0; i+1 < len(item.Content); i += 2 {
					if k, v := item.Content[i], item.Content[i+1]; k.Value == "hosts" && v.Kind == yaml.ScalarNode {
						pl.hosts = append(pl.hosts, hostsPlay{pattern: v.Value, file: osPath, line: v.Line})
					} else if k.Value == "hosts" && v.Kind == yaml.SequenceNode {
						var parts []string
						for _, c := range v.Content {
							parts = append(parts, c.Value)
						}
						pl.hosts = append(pl.hosts, hostsPlay{pattern: strings.Join(parts, ","), file: osPath, line: v.Line})
					}
				}
				for i := 0; i+1 < len(item.Content); i += 2 {
					key, v := item.Content[i].Value, item.Content[i+1]
					switch key {
					case "handlers":
						walk(v, true, depth+1)
					case "tasks", "pre_tasks", "post_tasks", "block", "rescue", "always":
						walk(v, handlerList && key != "tasks", depth+1)
					case "roles":
						pl.roleList(v)
					}
				}
			}
		}
	}
	pl.cur = osPath
	walk(n, inHandlers, 0)
	pl.cur = ""
}

// isPlay reports whether a mapping in a list is a play (or a playbook
// import), not a task.
func isPlay(m *yaml.Node) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		switch m.Content[i].Value {
		case "hosts", "import_playbook", "ansible.builtin.import_playbook", "roles":
			return true
		}
	}
	return false
}

// handler adds a handler's name and listen topics.
func (pl *plays) handler(h *yaml.Node, dir string) {
	for i := 0; i+1 < len(h.Content); i += 2 {
		key, v := h.Content[i].Value, h.Content[i+1]
		if key != "name" && key != "listen" {
			continue
		}
		for _, sn := range scalars(v) {
			s := sn.Value
			if strings.Contains(s, "{{") {
				pl.unsure = true
			}
			if pl.handlers == nil {
				pl.handlers = map[string]bool{}
			}
			pl.handlers[s] = true
			if dir != "" {
				if pl.byDir == nil {
					pl.byDir = map[string][]string{}
				}
				pl.byDir[dir] = append(pl.byDir[dir], s)
			}
		}
	}
}

// task notes a task's notify and the roles it includes.
func (pl *plays) task(osPath string, t *yaml.Node) {
	for i := 0; i+1 < len(t.Content); i += 2 {
		key, v := t.Content[i].Value, t.Content[i+1]
		switch key {
		case "notify":
			for _, s := range scalars(v) {
				pl.notifies = append(pl.notifies, notify{name: s.Value, file: osPath, line: s.Line})
			}
		case "include_role", "import_role", "ansible.builtin.include_role", "ansible.builtin.import_role", "ansible.legacy.include_role", "ansible.legacy.import_role":
			if v.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(v.Content); j += 2 {
					if v.Content[j].Value == "name" {
						pl.role(v.Content[j+1].Value)
					}
				}
			}
		}
	}
}

// roleList notes the roles of a play's roles: list.
func (pl *plays) roleList(v *yaml.Node) {
	for _, r := range v.Content {
		switch r.Kind {
		case yaml.ScalarNode:
			pl.role(r.Value)
		case yaml.MappingNode:
			for j := 0; j+1 < len(r.Content); j += 2 {
				if k := r.Content[j].Value; k == "role" || k == "name" {
					pl.role(r.Content[j+1].Value)
				}
			}
		}
	}
}

func (pl *plays) role(name string) {
	if pl.roles == nil {
		pl.roles, pl.uses = map[string]bool{}, map[string][]string{}
	}
	pl.roles[name] = true
	if pl.cur != "" {
		pl.uses[pl.cur] = append(pl.uses[pl.cur], name)
	}
}

// fileRefs notes the files a play or task names: what --changes follows
// from a changed task file, vars file or template to what reads it.
func (pl *plays) fileRefs(m *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		key, v := m.Content[i].Value, m.Content[i+1]
		key = strings.TrimPrefix(strings.TrimPrefix(key, "ansible.builtin."), "ansible.legacy.")
		switch key {
		case "import_playbook", "include_tasks", "import_tasks", "include", "include_vars", "vars_files",
			"template", "copy", "src", "file":
		default:
			continue
		}
		var add func(n *yaml.Node, depth int)
		add = func(n *yaml.Node, depth int) {
			if depth > 3 {
				return
			}
			switch n.Kind {
			case yaml.ScalarNode:
				if pl.refs == nil {
					pl.refs = map[string][]string{}
				}
				// The free form: "file=x.yml" or "x.yml" first.
				for _, f := range strings.Fields(n.Value) {
					if _, v, ok := strings.Cut(f, "="); ok {
						f = v
					}
					pl.refs[pl.cur] = append(pl.refs[pl.cur], f)
				}
			case yaml.SequenceNode:
				for _, c := range n.Content {
					add(c, depth+1)
				}
			case yaml.MappingNode:
				for j := 0; j+1 < len(n.Content); j += 2 {
					if k := n.Content[j].Value; k == "file" || k == "src" || k == "_raw_params" {
						add(n.Content[j+1], depth+1)
					}
				}
			}
		}
		add(v, 0)
	}
}

// check reports each notify that names no handler, as ansible matches
// them: exactly (case matters), by name or listen topic, or as
// "role : name" for a role's handler. It judges nothing where it cannot
// see every handler: a templated handler name, or a role the plays use
// that is not in the project (a Galaxy or collection role brings its
// own handlers).
func (pl *plays) check(p *project, roleDirs []string) {
	if pl.unsure || len(pl.notifies) == 0 {
		return
	}
	for r := range pl.roles {
		if strings.Contains(r, "{{") || strings.Count(r, ".") >= 2 || !installed(roleDirs, r) {
			return
		}
	}
	// Handlers of roles are also known as "role : name".
	known := map[string]bool{}
	for h := range pl.handlers {
		known[h] = true
	}
	for _, dir := range roleDirs {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			for _, h := range pl.byDir[filepath.Join(dir, e.Name(), "handlers")] {
				known[e.Name()+" : "+h] = true
			}
		}
	}
	for _, n := range pl.notifies {
		if strings.Contains(n.name, "{{") || known[n.name] {
			continue
		}
		msg := fmt.Sprintf("notify %q names no handler: no handler has this name or listens to it (ansible matches exactly, case included), so the change it reports restarts nothing", n.name)
		for h := range known {
			if strings.EqualFold(h, n.name) {
				msg += fmt.Sprintf("; the handler %q differs only in case", h)
				break
			}
		}
		p.add(report.Finding{Rule: RuleNotifyNoHandler, Severity: report.Error, File: relPath(n.file), Line: n.line,
			Help: rulesHelp + "ansiblenotify-no-handler", Message: msg})
	}
}

package ansiblelint

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tree"
)

// use is a module (or action) named by its fully qualified name in a task,
// and where it is first used.
type use struct {
	module, file string
	line         int
}

// fqcn is a task key that names a module of a collection:
// namespace.collection.module (a module may sit in a subdirectory,
// community.general.system.ufw in older collections).
var fqcn = regexp.MustCompile(`^([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*)$`)

// modulesUsed adds the fully qualified module names the mappings in
// sequences of n use (tasks, handlers, blocks: a play's keys are never
// such names, nor are vars, which are mappings in mappings).
func (p *project) modulesUsed(osPath string, n *yaml.Node) {
	var walk func(n *yaml.Node, inSeq bool, depth int)
	walk = func(n *yaml.Node, inSeq bool, depth int) {
		if n == nil || depth > 200 {
			return
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, false, depth+1)
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, true, depth+1)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if inSeq && k.Kind == yaml.ScalarNode && fqcn.MatchString(k.Value) {
					if !strings.HasPrefix(k.Value, "ansible.builtin.") && !strings.HasPrefix(k.Value, "ansible.legacy.") {
						if _, seen := p.used[k.Value]; !seen {
							if p.used == nil {
								p.used = map[string]use{}
							}
							p.used[k.Value] = use{module: k.Value, file: osPath, line: k.Line}
						}
					}
				}
				walk(n.Content[i+1], false, depth+1)
			}
		}
	}
	walk(n, false, 0)
}

// collectionOf is the namespace.collection a module name is in.
func collectionOf(module string) string {
	m := fqcn.FindStringSubmatch(module)
	if m == nil {
		return ""
	}
	return m[1] + "." + m[2]
}

// mockMissing decides, for the modules the project uses from collections
// that are not installed where ansible looks, what ansible-lint mocks
// (its mock_modules: the syntax check then passes and every other rule
// runs, as with the collection installed), and says once per collection,
// at its first use, that it is missing and how to install it.
func (p *project) mockMissing() {
	searched := p.searched
	var names []string
	for name := range p.used {
		names = append(names, name)
	}
	slices.Sort(names)
	first := map[string]use{}
	for _, name := range names {
		c := collectionOf(name)
		ns, coll, _ := strings.Cut(c, ".")
		if dir := collectionDir(searched, ns, coll); dir != "" {
			col := p.collection(dir)
			if !col.has(strings.TrimPrefix(name, c+".")) {
				// An older version than the repository's, as Debian's
				// packaged collections often are. Not mocked: a mock
				// collection of that name would hide the installed one
				// and every other module of it. ansible's syntax check
				// fails at the task, and replaceUnresolved says why.
				if p.lacking == nil {
					p.lacking = map[string]string{}
				}
				p.lacking[name] = c + " " + col.version
			}
			continue
		}
		p.mocks = append(p.mocks, name)
		u := p.used[name]
		if f, ok := first[c]; !ok || u.file < f.file || u.file == f.file && u.line < f.line {
			first[c] = u
		}
	}
	var colls []string
	for c := range first {
		colls = append(colls, c)
	}
	slices.Sort(colls)
	for _, c := range colls {
		if slices.Contains(p.missing, c) {
			continue // said at requirements.yml
		}
		u := first[c]
		p.missing = append(p.missing, c)
		p.add(report.Finding{Rule: RuleCollectionMissing, Severity: report.Warning, File: relPath(u.file), Line: u.line,
			Help: helpBase + "collection-missing",
			Message: fmt.Sprintf("%s is a module of collection %s, which is not installed where ansible looks; its modules are mocked, so the rest is linted, but their arguments are not checked. %s",
				u.module, c, installAdvice(c, ""))})
	}
}

// collectionDir is where ns.coll is installed among searched, or "".
func collectionDir(searched []string, ns, coll string) string {
	return firstDir(searched, filepath.Join("ansible_collections", ns, coll))
}

// collection reads an installed collection once per project: its
// runtime.yml is thousands of lines, and every module used asks.
func (p *project) collection(dir string) *collection {
	if c, ok := p.colls[dir]; ok {
		return c
	}
	if p.colls == nil {
		p.colls = map[string]*collection{}
	}
	c := readCollection(dir)
	p.colls[dir] = c
	return c
}

// collection is what an installed collection offers.
type collection struct {
	dir, version string
	routed       map[string]bool // modules meta/runtime.yml redirects; nil until a module is not a file
}

// readCollection reads an installed collection's version (bounded, like
// every file this check reads); its module routing is read when asked.
func readCollection(dir string) *collection {
	c := &collection{dir: dir, version: "(version unknown)"}
	if data, err := tree.ReadFile(tree.RootFor(".", dir), filepath.Join(dir, "MANIFEST.json"), maxYAMLSize); err == nil {
		var m struct {
			Info struct {
				Version string `json:"version"`
			} `json:"collection_info"`
		}
		if json.Unmarshal(data, &m) == nil && m.Info.Version != "" {
			c.version = m.Info.Version
		}
	}
	return c
}

// routing reads the modules meta/runtime.yml routes: community.general's
// is 5,000 lines (35 ms of the preflight), and a module that is a file of
// the collection needs none of it.
func (c *collection) routing() map[string]bool {
	if c.routed != nil {
		return c.routed
	}
	c.routed = map[string]bool{}
	if data, err := tree.ReadFile(tree.RootFor(".", c.dir), filepath.Join(c.dir, "meta", "runtime.yml"), maxYAMLSize); err == nil {
		var rt struct {
			Routing struct {
				Modules map[string]any `yaml:"modules"`
			} `yaml:"plugin_routing"`
		}
		if yaml.Unmarshal(data, &rt) == nil {
			for k := range rt.Routing.Modules {
				c.routed[k] = true
			}
		}
	}
	return c.routed
}

// has reports whether the collection has module (as a task names it
// after the collection: "ufw", or "system.ufw" in a subdirectory): a
// module or action plugin, or a routing entry.
func (c *collection) has(module string) bool {
	rel := filepath.FromSlash(strings.ReplaceAll(module, ".", "/")) + ".py"
	for _, kind := range []string{"modules", "action"} {
		if fileExists(filepath.Join(c.dir, "plugins", kind, rel)) {
			return true
		}
	}
	return c.routing()[module]
}

// installAdvice says how to make a collection available so that both
// ansible and this check find it: vendored, with ansible.cfg pointing at
// it (ansible looks in a collections/ beside the playbook only).
func installAdvice(collection, requirements string) string {
	what := collection
	if requirements != "" {
		what = "-r " + requirements
	}
	return fmt.Sprintf("Vendor it: `ansible-galaxy collection install %s -p ./collections`, set `collections_path = ./collections` under [defaults] in ansible.cfg, and commit both", what)
}

// versionMeets reports whether version meets constraint as ansible-galaxy
// reads one: comma-separated specifiers (*, ==, !=, >=, >, <=, <, or a
// bare version meaning ==). known is false where either cannot be read
// (a pre-release, a branch name): nothing is then said.
func versionMeets(version, constraint string) (ok, known bool) {
	v, good := semver(version)
	if !good {
		return false, false
	}
	for _, spec := range strings.Split(constraint, ",") {
		spec = strings.TrimSpace(spec)
		if spec == "*" || spec == "" {
			continue
		}
		op := ""
		for _, o := range []string{">=", "<=", "==", "!=", ">", "<"} {
			if strings.HasPrefix(spec, o) {
				op, spec = o, strings.TrimSpace(spec[len(o):])
				break
			}
		}
		want, good := semver(spec)
		if !good {
			return false, false
		}
		c := slices.Compare(v, want)
		switch op {
		case ">=":
			ok = c >= 0
		case "<=":
			ok = c <= 0
		case ">":
			ok = c > 0
		case "<":
			ok = c < 0
		case "!=":
			ok = c != 0
		default:
			ok = c == 0
		}
		if !ok {
			return false, true
		}
	}
	return true, true
}

// semver reads MAJOR.MINOR.PATCH (MINOR and PATCH may be left out).
func semver(s string) ([]int, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 3 {
		return nil, false
	}
	out := make([]int, 3)
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}

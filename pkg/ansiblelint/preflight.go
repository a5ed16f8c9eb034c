package ansiblelint

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	goccyyaml "github.com/goccy/go-yaml"
	goccyparser "github.com/goccy/go-yaml/parser"
	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/pkg/inventory"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tree"
)

// Rule ids of the preflight.
const (
	RuleYAML              = "ansible/yaml-syntax"
	RuleCollectionMissing = "ansible/collection-missing"
	RuleRoleMissing       = "ansible/role-missing"
	RuleInventory         = "ansible/inventory-invalid"
	RuleRequirements      = "ansible/requirements-invalid"
	RuleUnreadable        = "ansible/unreadable"
)

const helpBase = "https://github.com/plumbline/plumbline/blob/main/docs/ansible-lint-check.md#"

// maxYAMLSize keeps the preflight away from files no playbook is made of.
const maxYAMLSize = 10 << 20

// project is what the preflight learns about one PATH.
type project struct {
	root      string   // as given, for the OS
	yamlFiles []string // OS paths
	inventory []string // OS paths of INI inventories
	cfg       ansibleCfg
	files     int
	findings  []report.Finding
	missing   []string               // collections not installed, namespace.name
	used      map[string]use         // modules of collections the tasks name
	mocks     []string               // of those, the ones ansible-lint mocks (not installed)
	lacking   map[string]string      // modules their installed collection lacks: "ns.coll VERSION"
	vendored  []string               // OS paths of vendored collections and tool state, not linted
	plays     plays                  // what the play rules gather
	searched  []string               // where ansible looks for collections, in its order
	colls     map[string]*collection // installed collections read, by directory
	inv       inventoryNames         // what the inventories declare
	varsDirs  []string               // group_vars and host_vars directories, OS paths
	broken    []string               // YAML files that do not parse, OS paths
	// refused is set when the tree holds a symlink out of it (or to a
	// device): ansible-lint follows symlinks, so it is not run at all.
	refused bool
	config  string // the ansible-lint config to pass, if any
	// scope is what a pull request's change touches (--changes); nil:
	// everything.
	scope *scope
	// overBudget says which inputs were not checked for a budget (exit 2),
	// by root-relative file.
	overBudget map[string]error
}

// relPath is where reports say osPath is.
func relPath(osPath string) string {
	r, _ := report.RelPath(osPath)
	return r
}

func (p *project) add(f report.Finding) { p.findings = append(p.findings, f) }

func (p *project) budget(osPath string, err error) {
	if p.overBudget == nil {
		p.overBudget = map[string]error{}
	}
	p.overBudget[relPath(osPath)] = err
}

// preflight walks root and checks YAML, requirements and inventories.
func preflight(root string, env func(string) string) (*project, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("path %s: %w", root, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("path %s: not a directory", root)
	}
	p := &project{root: root}
	p.cfg = readAnsibleCfg(root, env)
	err = filepath.WalkDir(root, func(osPath string, d fs.DirEntry, err error) error {
		if err != nil {
			p.add(report.Finding{Rule: RuleUnreadable, Severity: report.Error, File: relPath(osPath), Message: "cannot read: " + err.Error()})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		name := d.Name()
		if d.IsDir() && (name == "group_vars" || name == "host_vars") {
			p.varsDirs = append(p.varsDirs, osPath)
		}
		if d.IsDir() {
			// Vendored collections are other people's code; dot-dirs are tool state.
			if osPath != root && (strings.HasPrefix(name, ".") || name == "collections" || name == "ansible_collections" || name == "node_modules") {
				// ansible-lint lints them as the repository's code (its
				// own defaults skip only .cache, .git and the like).
				if name == "collections" || name == "ansible_collections" || name == ".ansible" || name == "node_modules" {
					p.vendored = append(p.vendored, osPath)
				}
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case template(root, osPath):
			// Not YAML to ansible-lint either (its kinds jinja2 and text).
		case strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml"):
			p.yamlFiles = append(p.yamlFiles, osPath)
		case isINIInventory(root, osPath, p.cfg):
			p.inventory = append(p.inventory, osPath)
		case inInventoryDir(root, osPath):
			// An inventory this check does not read (a script, a file
			// without extension): which names it declares is unknown.
			p.inv.unsure = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	escapes, err := tree.Escapes(tree.RootFor(".", root), root)
	if err != nil {
		return nil, err
	}
	refused := map[string]bool{}
	for _, e := range escapes {
		p.refused, refused[e.Path] = true, true
		p.add(report.Finding{Rule: RuleUnreadable, Severity: report.Error, File: relPath(e.Path), Help: helpBase + "hostile-input",
			Message: e.Msg + "; ansible-lint, which would follow it, is not run on " + relPath(root)})
	}
	isRefused := func(f string) bool { return refused[f] }
	p.yamlFiles = slices.DeleteFunc(p.yamlFiles, isRefused)
	p.inventory = slices.DeleteFunc(p.inventory, isRefused)
	for _, f := range p.yamlFiles {
		p.checkYAML(f)
	}
	p.plays.check(p, rolePaths(root, p.cfg, env))
	if p.cfg.hostKeyOff > 0 {
		p.add(report.Finding{Rule: RuleHostKeyChecking, Severity: report.Warning, File: relPath(p.cfg.file), Line: p.cfg.hostKeyOff,
			Help:    rulesHelp + "ansiblehost-key-checking-off",
			Message: "host_key_checking is off: ansible connects to any host that answers at the address, so a machine that takes over an address (a rebuilt VM, a spoofed DHCP lease) gets the SSH session and what the play sends it; record known host keys instead (ssh-keyscan into known_hosts, or accept-new via ANSIBLE_SSH_ARGS for first contact only)"})
	}
	p.inventoryOutside()
	for _, f := range p.inventory {
		p.checkINI(f)
	}
	p.checkHosts(&p.inv, p.plays.hosts)
	for _, f := range p.inventory {
		p.inv.dir(f)
	}
	for _, inv := range p.cfg.inventory {
		if fi, err := os.Stat(filepath.Join(root, inv)); err == nil && fi.IsDir() {
			p.inv.dir(filepath.Join(root, inv, "inventory")) // the directory itself
		} else if err == nil {
			p.inv.dir(filepath.Join(root, inv))
		}
	}
	p.checkVarsDirs()
	p.searched = collectionPaths(root, p.cfg, env)
	for _, req := range []string{"requirements.yml", "collections/requirements.yml", "roles/requirements.yml"} {
		if f := filepath.Join(root, req); fileExists(f) {
			p.checkRequirements(f, env)
		}
	}
	p.mockMissing()
	return p, nil
}

// template reports whether ansible-lint takes a file for a Jinja2
// template rather than YAML, by its default kinds: **/*.j2, **/*.j2.* and
// **/templates/**/*.* (a role's templates/nginx.yml is a template that
// renders to YAML, and need not parse as YAML itself).
func template(root, osPath string) bool {
	name := filepath.Base(osPath)
	if strings.HasSuffix(name, ".j2") || strings.Contains(name, ".j2.") {
		return true
	}
	rel, err := filepath.Rel(root, osPath)
	if err != nil || !strings.Contains(name, ".") {
		return false
	}
	dirs := strings.Split(filepath.ToSlash(filepath.Dir(rel)), "/")
	return slices.Contains(dirs, "templates")
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// inInventoryDir reports whether a file that is neither YAML nor an INI
// inventory sits where inventories live (inventory/, inventories/, or
// what ansible.cfg names), outside group_vars and host_vars, and is no
// document (README.md).
func inInventoryDir(root, osPath string) bool {
	rel, err := filepath.Rel(root, osPath)
	if err != nil {
		return false
	}
	dirs := strings.Split(filepath.ToSlash(filepath.Dir(rel)), "/")
	if slices.Contains(dirs, "group_vars") || slices.Contains(dirs, "host_vars") {
		return false
	}
	if strings.HasPrefix(filepath.Base(osPath), ".") {
		return false // .gitignore, .keep
	}
	switch strings.ToLower(filepath.Ext(osPath)) {
	case ".md", ".txt", ".rst", ".j2", ".cfg", ".json", ".toml":
		return false
	}
	return slices.Contains(dirs, "inventory") || slices.Contains(dirs, "inventories")
}

// isINIInventory: hosts files, *.ini under inventory directories, and
// what ansible.cfg names as the inventory.
func isINIInventory(root, osPath string, cfg ansibleCfg) bool {
	name := filepath.Base(osPath)
	if name == "ansible.cfg" || strings.HasSuffix(name, ".cfg") {
		return false
	}
	for _, inv := range cfg.inventory {
		if filepath.Clean(filepath.Join(root, inv)) == filepath.Clean(osPath) {
			return !strings.HasSuffix(name, ".yml") && !strings.HasSuffix(name, ".yaml")
		}
	}
	if name == "hosts" || name == "hosts.ini" {
		return true
	}
	dir := filepath.Base(filepath.Dir(osPath))
	return strings.HasSuffix(name, ".ini") && (dir == "inventory" || dir == "inventories")
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (p *project) checkYAML(osPath string) {
	p.files++
	data, ok := p.read(osPath)
	if !ok {
		return
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if err == nil {
			p.outside(osPath, &n)
			p.modulesUsed(osPath, &n)
			if rel, err := filepath.Rel(p.root, osPath); err == nil {
				p.plays.gather(p, rel, osPath, &n)
			}
			if yamlInventory(p.root, osPath, p.cfg) && p.inv.fromYAML(&n) {
				p.inv.dir(osPath)
			}
			// Aliases are not expanded in a node tree; ansible-lint expands
			// them, and a "billion laughs" file of a few hundred bytes then
			// holds it for minutes at gigabytes.
			if line, over := expandsPast(&n, maxYAMLNodes); over {
				p.add(report.Finding{Rule: RuleYAML, Severity: report.Error, File: relPath(osPath), Line: line, Help: helpBase + "hostile-input",
					Message: fmt.Sprintf("YAML holds more than %d nodes with its aliases expanded (an alias bomb, or data rather than a playbook?); ansible-lint is not run on this file", maxYAMLNodes)})
				p.broken = append(p.broken, osPath)
				p.budget(osPath, fmt.Errorf("%s: YAML past the budget of %d nodes", relPath(osPath), maxYAMLNodes))
				return
			}
			continue
		}
		if errors.Is(err, io.EOF) {
			return
		}
		f := report.Finding{Rule: RuleYAML, Severity: report.Error, File: relPath(osPath), Help: helpBase + "yaml-syntax"}
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			f.Line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		// yaml.v3 often names the line its context starts on (4 for a bad
		// indentation on 8); people, yamllint and PyYAML point at the
		// problem itself. A second parser's position is taken when it is
		// later: the problem never comes before its context.
		// Past yaml.v3's depth limit the second parser would take minutes
		// and gigabytes (it is quadratic in the depth).
		if strings.Contains(msg, "exceeded max depth") {
			f.Message = "YAML nested deeper than any playbook (" + strings.TrimPrefix(msg, "yaml: ") + "); ansible-lint is not run on this file"
			f.Help = helpBase + "hostile-input"
			p.add(f)
			p.broken = append(p.broken, osPath)
			p.budget(osPath, fmt.Errorf("%s: YAML nested past the depth budget", relPath(osPath)))
			return
		}
		if line, col := problemAt(data); line > f.Line {
			f.Line, f.Column = line, col
		}
		f.Message = "YAML does not parse: " + strings.TrimPrefix(msg, "yaml: ")
		f.Snippet = lineAt(data, f.Line)
		p.add(f)
		p.broken = append(p.broken, osPath)
		return
	}
}

// problemAt is where goccy/go-yaml, whose errors carry the problem's own
// position, finds a YAML error in data; 0 when it finds none (or data is
// too large to parse twice).
func problemAt(data []byte) (line, col int) {
	if len(data) > 1<<20 {
		return 0, 0
	}
	defer func() { _ = recover() }() // a second opinion must not crash the check
	_, err := goccyparser.ParseBytes(data, 0)
	var se *goccyyaml.SyntaxError
	if errors.As(err, &se) && se.Token != nil && se.Token.Position != nil {
		return se.Token.Position.Line, se.Token.Position.Column
	}
	return 0, 0
}

func (p *project) read(osPath string) ([]byte, bool) {
	data, err := tree.ReadFile(tree.RootFor(".", osPath), osPath, maxYAMLSize)
	var te *tree.Error
	switch {
	case errors.As(err, &te):
		p.add(report.Finding{Rule: RuleUnreadable, Severity: report.Error, File: relPath(osPath), Message: te.Msg})
		// Not handed to ansible-lint either: a file over the budget would
		// load there all the same (15 MB: 1.5 GiB).
		p.broken = append(p.broken, osPath)
		return nil, false
	case err != nil:
		p.add(report.Finding{Rule: RuleUnreadable, Severity: report.Error, File: relPath(osPath), Message: "cannot read: " + err.Error()})
		p.broken = append(p.broken, osPath)
		return nil, false
	}
	return data, true
}

// maxYAMLNodes bounds what one YAML document may expand to, aliases
// included; real playbooks hold thousands. ansible-lint's time grows
// faster than the file (measured on a vars file: 40,000 nodes 13 s and
// 114 MiB, 120,000 nodes 77 s and 236 MiB, 480,000 nodes over 10 minutes).
const maxYAMLNodes = 100_000

// expandsPast reports whether n, with its aliases expanded, holds more
// than limit nodes, and the line of the alias that crosses it. Sizes are
// memoised per node, so the walk itself stays linear in the file.
func expandsPast(n *yaml.Node, limit int) (line int, over bool) {
	memo := map[*yaml.Node]int{}
	var size func(n *yaml.Node, depth int) int
	size = func(n *yaml.Node, depth int) int {
		if v, ok := memo[n]; ok {
			return v
		}
		if depth > 10000 {
			return limit + 1 // deeper than any parser should follow
		}
		memo[n] = limit + 1 // an alias cycle counts as too much
		total := 1
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			total += size(n.Alias, depth+1)
		}
		for _, c := range n.Content {
			total += size(c, depth+1)
			if total > limit {
				break
			}
		}
		if total > limit && line == 0 {
			line = n.Line
		}
		memo[n] = min(total, limit+1)
		return memo[n]
	}
	return line, size(n, 0) > limit
}

func lineAt(data []byte, n int) string {
	if n < 1 {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for i := 1; sc.Scan(); i++ {
		if i == n {
			return strings.TrimRight(sc.Text(), " \t\r")
		}
	}
	return ""
}

func (p *project) checkINI(osPath string) {
	p.files++
	data, ok := p.read(osPath)
	if !ok {
		return
	}
	inv, err := inventory.ParseINI(osPath, data)
	if err == nil {
		p.inv.fromINI(inv, data)
	} else {
		p.inv.found, p.inv.unsure = true, true
	}
	if err != nil {
		f := report.Finding{Rule: RuleInventory, Severity: report.Error, File: relPath(osPath), Help: helpBase + "inventory-invalid",
			Message: "inventory does not parse: " + err.Error()}
		var ie *report.InputError
		if errors.As(err, &ie) {
			f.Line, f.Message = ie.Line, "inventory does not parse: "+ie.Msg
			f.Snippet = lineAt(data, ie.Line)
		}
		p.add(f)
	}
}

// requirement is one entry of requirements.yml.
type requirement struct {
	name    string
	line    int
	version string // the version constraint, as written ("" for any)
}

func (p *project) checkRequirements(osPath string, env func(string) string) {
	data, ok := p.read(osPath)
	if !ok {
		return
	}
	bad := func(line int, msg string) {
		p.add(report.Finding{Rule: RuleRequirements, Severity: report.Error, File: relPath(osPath), Line: line, Message: msg, Help: helpBase + "requirements-invalid"})
	}
	collections, roles := parseRequirements(data, bad)
	searched := p.searched
	for _, c := range collections {
		if c.name == "ansible.builtin" || c.name == "ansible.legacy" {
			continue
		}
		ns, name, ok := strings.Cut(c.name, ".")
		if !ok || strings.Contains(name, ".") {
			if !strings.Contains(c.name, "/") && !strings.HasSuffix(c.name, ".tar.gz") {
				bad(c.line, fmt.Sprintf("collection %q is not namespace.name", c.name))
			}
			continue
		}
		if dir := collectionDir(searched, ns, name); dir != "" && c.version != "" {
			// Installed, but is it a version the repository asks for?
			// Ansible does not check; a module may be missing or differ.
			have := p.collection(dir).version
			if ok, known := versionMeets(have, c.version); known && !ok {
				p.add(report.Finding{Rule: RuleCollectionMissing, Severity: report.Warning, File: relPath(osPath), Line: c.line,
					Help: helpBase + "collection-missing",
					Message: fmt.Sprintf("collection %s is installed as %s where ansible looks (%s), not the %s this file asks for: its modules may lack what the roles use, or differ. %s",
						c.name, have, dir, c.version, installAdvice(c.name, relPath(osPath)))})
			}
		}
		if collectionDir(searched, ns, name) == "" {
			p.missing = append(p.missing, c.name)
			p.add(report.Finding{Rule: RuleCollectionMissing, Severity: report.Warning, File: relPath(osPath), Line: c.line,
				Help: helpBase + "collection-missing",
				Message: fmt.Sprintf("collection %s is not installed where ansible looks (%s); the modules the tasks use from it are mocked, so the rest is linted. %s",
					c.name, strings.Join(searched, ", "), installAdvice(c.name, relPath(osPath)))})
		}
	}
	rolePaths := rolePaths(p.root, p.cfg, env)
	for _, r := range roles {
		if !installed(rolePaths, r.name) {
			p.add(report.Finding{Rule: RuleRoleMissing, Severity: report.Error, File: relPath(osPath), Line: r.line,
				Help: helpBase + "role-missing",
				Message: fmt.Sprintf("role %s is not installed where ansible looks (%s); vendor it with "+
					"`ansible-galaxy role install -r %s -p roles` and commit it", r.name, strings.Join(rolePaths, ", "), path.Base(relPath(osPath)))})
		}
	}
}

// parseRequirements reads requirements.yml: a mapping with collections
// and roles lists, or the older bare list of roles. YAML errors are left to
// the YAML pass; structural problems go to bad.
func parseRequirements(data []byte, bad func(line int, msg string)) (collections, roles []requirement) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return nil, nil
	}
	top := doc.Content[0]
	switch {
	case top.Kind == yaml.ScalarNode && top.Tag == "!!null":
		// an empty document: nothing required
	case top.Kind == yaml.SequenceNode:
		roles = entries(top, "role", bad)
	case top.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(top.Content); i += 2 {
			switch top.Content[i].Value {
			case "collections":
				collections = entries(top.Content[i+1], "collection", bad)
			case "roles":
				roles = entries(top.Content[i+1], "role", bad)
			}
		}
	default:
		bad(top.Line, "requirements must be a mapping with collections and roles, or a list of roles")
	}
	return collections, roles
}

// entries reads a list of requirements: strings, or mappings with name
// (collections) or name/src (roles).
func entries(n *yaml.Node, kind string, bad func(int, string)) []requirement {
	if n.Kind != yaml.SequenceNode {
		if n.Kind != yaml.ScalarNode || n.Tag != "!!null" {
			bad(n.Line, kind+"s must be a list")
		}
		return nil
	}
	var out []requirement
	for _, e := range n.Content {
		switch e.Kind {
		case yaml.ScalarNode:
			out = append(out, requirement{name: e.Value, line: e.Line})
		case yaml.MappingNode:
			var name, src, version string
			for i := 0; i+1 < len(e.Content); i += 2 {
				switch e.Content[i].Value {
				case "name":
					name = e.Content[i+1].Value
				case "src":
					src = e.Content[i+1].Value
				case "version":
					version = e.Content[i+1].Value
				}
			}
			if name == "" && kind == "role" && src != "" {
				name = strings.TrimSuffix(path.Base(strings.TrimSuffix(src, "/")), ".git")
			}
			if name == "" {
				bad(e.Line, kind+" entry without a name")
				continue
			}
			out = append(out, requirement{name: name, line: e.Line, version: version})
		default:
			bad(e.Line, kind+" entry must be a name or a mapping")
		}
	}
	return out
}

func installed(paths []string, rel string) bool {
	return firstDir(paths, rel) != ""
}

// firstDir is the first of paths holding the directory rel, joined, or "".
func firstDir(paths []string, rel string) string {
	for _, p := range paths {
		dir := filepath.Join(p, rel)
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir
		}
	}
	return ""
}

package ansiblelint

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/plumbline/plumbline/pkg/change"
	"github.com/plumbline/plumbline/pkg/report"
)

// scope is what a change touches in one project: the files and the role
// directories, root-relative with forward slashes as reports write them.
type scope struct {
	files, roles map[string]bool
	// lint is what ansible-lint is given (targets), worked out once.
	lint []string
}

// narrow works out, for a pull request's change, what of the project it
// touches: the changed playbooks, task and vars files; the roles with a
// changed file; and, following what names what, every playbook or role
// that uses a touched role (a play's roles:, include_role, a role's meta
// dependencies) or names a touched file (import_playbook, include_tasks,
// vars_files, a template's src). It returns nil when the change touches
// what every play reads (ansible.cfg, the ansible-lint config, an
// inventory, requirements, vendored collections): everything is checked.
func (p *project) narrow(set *change.Set, lintConfig string) *scope {
	root := relPath(p.root)
	under := func(f string) bool { return root == "." || f == root || strings.HasPrefix(f, root+"/") }
	global := map[string]bool{}
	for _, f := range append([]string{p.cfg.file, lintConfig}, p.inventory...) {
		if f != "" {
			global[relPath(f)] = true
		}
	}
	s := &scope{files: map[string]bool{}, roles: map[string]bool{}}
	for _, c := range set.Paths() {
		if !under(c) {
			continue
		}
		if global[c] || everything(c, root, p.vendored) {
			return nil
		}
		s.touch(c)
	}
	if len(s.files) == 0 && len(s.roles) == 0 {
		return s
	}
	// Who names what, root-relative: the readers of each file a reference
	// may name and the users of each role, followed from the change once
	// each (a role's meta dependency on a touched role touches it, and so
	// its users), in time linear in the references.
	readers, users := map[string][]string{}, map[string][]string{}
	for f, refs := range p.plays.refs {
		rel := relPath(f)
		for _, ref := range refs {
			for _, c := range candidates(rel, ref, root) {
				readers[c] = append(readers[c], rel)
			}
		}
	}
	for f, names := range p.plays.uses {
		for _, ref := range names {
			if name, ok := roleName(ref); ok {
				users[name] = append(users[name], relPath(f))
			}
		}
	}
	// Each touched file leads to its readers, each touched role (by
	// name) to its users.
	type touched struct {
		name string
		role bool
	}
	var queue []touched
	for f := range s.files {
		queue = append(queue, touched{f, false})
	}
	for d := range s.roles {
		queue = append(queue, touched{path.Base(d), true})
	}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		next := readers[t.name]
		if t.role {
			next = users[t.name]
		}
		for _, rel := range next {
			if s.has(rel) {
				continue
			}
			s.touch(rel)
			if d := roleDir(rel); d != "" {
				queue = append(queue, touched{path.Base(d), true})
			} else {
				queue = append(queue, touched{rel, false})
			}
		}
	}
	s.lint = s.targets(p)
	return s
}

// everything reports whether a changed file is one every play reads.
func everything(rel, root string, vendored []string) bool {
	for _, v := range vendored {
		if v := relPath(v); rel == v || strings.HasPrefix(rel, v+"/") {
			return true
		}
	}
	inRoot := strings.TrimPrefix(rel, root+"/")
	if root == "." {
		inRoot = rel
	}
	switch path.Base(rel) {
	case "ansible.cfg", ".ansible-lint", ".ansible-lint-ignore", "requirements.yml", "requirements.yaml", "galaxy.yml":
		return true
	}
	if inRoot == ".config/ansible-lint.yml" {
		return true
	}
	// An inventory beside its group_vars: a host or group added or gone
	// changes which plays match what.
	dirs := strings.Split(path.Dir(inRoot), "/")
	if slices.Contains(dirs, "group_vars") || slices.Contains(dirs, "host_vars") {
		return false
	}
	return len(dirs) > 0 && (dirs[0] == "inventory" || dirs[0] == "inventories")
}

// roleDir is the role a root-relative file is in ("roles/NAME", at any
// depth), or "".
func roleDir(rel string) string {
	parts := strings.Split(rel, "/")
	for i := len(parts) - 3; i >= 0; i-- {
		if parts[i] == "roles" {
			return strings.Join(parts[:i+2], "/")
		}
	}
	return ""
}

func (s *scope) touch(rel string) {
	if d := roleDir(rel); d != "" {
		s.roles[d] = true
		return
	}
	s.files[rel] = true
}

func (s *scope) has(rel string) bool {
	if d := roleDir(rel); d != "" {
		return s.roles[d]
	}
	return s.files[rel]
}

// roleName is the name of the role a reference (a name, or a path to
// the role) names; a collection's role (ns.coll.role) is none of the
// repository's.
func roleName(ref string) (string, bool) {
	if strings.Count(ref, ".") >= 2 && !strings.Contains(ref, "/") {
		return "", false
	}
	return path.Base(strings.TrimRight(ref, "/")), true
}

// candidates are the files a reference in the file from may name,
// root-relative: Ansible looks for a relative name beside the file, in
// its tasks/, vars/, templates/ and files/, in its role's, and in the
// project; {{ playbook_dir }} and {{ role_path }} are read as such, any
// other template names nothing known.
func candidates(from, ref, root string) []string {
	dir, role := path.Dir(from), roleDir(from)
	if m := placeholder.FindStringSubmatch(ref); m != nil {
		base := dir
		if m[1] == "role_path" {
			if role == "" {
				return nil
			}
			base = role
		}
		return []string{path.Join(base, ref[len(m[0]):])}
	}
	if strings.Contains(ref, "{{") || path.IsAbs(ref) || ref == "" {
		return nil
	}
	var out []string
	for _, d := range []string{dir, path.Join(dir, "tasks"), path.Join(dir, "vars"), path.Join(dir, "templates"), path.Join(dir, "files"), root} {
		out = append(out, path.Join(d, ref))
	}
	if role != "" {
		for _, sub := range []string{"tasks", "handlers", "vars", "defaults", "meta", "templates", "files"} {
			out = append(out, path.Join(role, sub, ref))
		}
	}
	return out
}

var placeholder = regexp.MustCompile(`^\{\{\s*(playbook_dir|role_path)\s*\}\}/`)

// keeps reports whether a finding is about what the change touches (or
// about the project as a whole).
func (s *scope) keeps(f report.Finding) bool {
	return s == nil || f.File == "" || s.has(f.File)
}

// targets are what ansible-lint is given, relative to the project root:
// the touched roles' directories and the touched YAML files that are
// still there (a playbook brings its roles along).
func (s *scope) targets(p *project) []string {
	root := relPath(p.root)
	var out []string
	rel := func(f string) string {
		if root == "." {
			return f
		}
		return strings.TrimPrefix(f, root+"/")
	}
	for d := range s.roles {
		if fi, err := os.Stat(filepath.Join(p.root, filepath.FromSlash(rel(d)))); err == nil && fi.IsDir() {
			out = append(out, rel(d))
		}
	}
	lintable := map[string]bool{}
	for _, f := range p.yamlFiles {
		lintable[relPath(f)] = true
	}
	for _, f := range append(slices.Clone(p.broken), p.vendored...) {
		delete(lintable, relPath(f))
	}
	for f := range s.files {
		if lintable[f] {
			out = append(out, rel(f))
		}
	}
	slices.Sort(out)
	return out
}

// playbooks are the playbooks ansible-lint will syntax-check, as it
// names them (relative to the project, forward slashes), sorted: those
// the preflight found plays in, and in a pull request's scope only its
// targets. None when modules are mocked: the mocks are
// written before the check, which then reads them.
func (p *project) playbooks() []string {
	if len(p.mocks) > 0 {
		return nil
	}
	var targets map[string]bool
	if p.scope != nil {
		targets = map[string]bool{}
		for _, t := range p.scope.lint {
			targets[t] = true
		}
	}
	var out []string
	// The preflight gathers plays from the files it parsed: never a
	// vendored or a broken one.
	for osPath := range p.plays.playbooks {
		rel, err := filepath.Rel(p.root, osPath)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		if targets != nil && !targets[rel] {
			continue
		}
		out = append(out, rel)
	}
	slices.Sort(out)
	return out
}

package ansiblelint

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/pkg/tree"
)

// ansibleCfg is what the preflight reads from ansible.cfg.
type ansibleCfg struct {
	collectionsPaths []string
	rolesPaths       []string
	inventory        []string
	file             string // the file read, when one was
	hostKeyOff       int    // the line of host_key_checking = False, or 0
}

// readAnsibleCfg reads the ansible.cfg ansible itself would use for a
// project: $ANSIBLE_CONFIG, else ansible.cfg in the project directory.
func readAnsibleCfg(root string, env func(string) string) ansibleCfg {
	file := env("ANSIBLE_CONFIG")
	if file == "" {
		file = filepath.Join(root, "ansible.cfg")
	}
	data, err := tree.ReadFile(tree.RootFor(root, file), file, maxLintConfig)
	if err != nil {
		return ansibleCfg{} // the walk reports a file it cannot read
	}
	base := filepath.Dir(file)
	cfg := ansibleCfg{file: file}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			section = strings.Trim(line, "[] ")
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || section != "defaults" {
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch key {
		case "collections_path", "collections_paths":
			cfg.collectionsPaths = pathList(value, base)
		case "roles_path":
			cfg.rolesPaths = pathList(value, base)
		case "host_key_checking":
			// ansible's booleans; an inline comment starts at " ;".
			v, _, _ := strings.Cut(value, " ;")
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "false", "no", "n", "off", "0", "0.0", "f":
				cfg.hostKeyOff = n
			}
		case "inventory", "hostfile":
			for _, p := range strings.Split(value, ",") {
				if p = strings.TrimSpace(p); p != "" {
					cfg.inventory = append(cfg.inventory, p)
				}
			}
		}
	}
	return cfg
}

// pathList splits a colon-separated path list, expanding ~ and making
// relative entries relative to base (as ansible does for ansible.cfg).
func pathList(value, base string) []string {
	var out []string
	for _, p := range strings.Split(value, string(os.PathListSeparator)) {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
			continue
		case strings.HasPrefix(p, "~/"):
			if home, err := os.UserHomeDir(); err == nil {
				p = filepath.Join(home, p[2:])
			}
		case !filepath.IsAbs(p) && base != "":
			p = filepath.Join(base, p)
		}
		out = append(out, filepath.Clean(p))
	}
	return out
}

// collectionPaths lists where ansible looks for collections, in its order:
// the environment, ansible.cfg, the defaults, the project's collections/
// directory, and the Python installation's ansible_collections.
func collectionPaths(root string, cfg ansibleCfg, env func(string) string) []string {
	var paths []string
	switch {
	case env("ANSIBLE_COLLECTIONS_PATH") != "":
		paths = pathList(env("ANSIBLE_COLLECTIONS_PATH"), "")
	case env("ANSIBLE_COLLECTIONS_PATHS") != "":
		paths = pathList(env("ANSIBLE_COLLECTIONS_PATHS"), "")
	case len(cfg.collectionsPaths) > 0:
		paths = cfg.collectionsPaths
	default:
		paths = pathList("~/.ansible/collections:/usr/share/ansible/collections", "")
	}
	paths = append(paths, filepath.Join(root, "collections"))
	if v := strings.ToLower(env("ANSIBLE_COLLECTIONS_SCAN_SYS_PATH")); v == "false" || v == "no" || v == "0" || v == "off" || v == "n" || v == "f" {
		return dedupe(paths) // ansible does not look in Python's ansible_collections
	}
	for _, pattern := range []string{
		"/usr/lib/python3/dist-packages",
		"/usr/lib/python3*/site-packages",
		"/usr/local/lib/python3*/dist-packages",
		"/usr/local/lib/python3*/site-packages",
	} {
		matches, _ := filepath.Glob(pattern)
		for _, m := range matches {
			if fi, err := os.Stat(filepath.Join(m, "ansible_collections")); err == nil && fi.IsDir() {
				paths = append(paths, m)
			}
		}
	}
	return dedupe(paths)
}

// rolePaths lists where ansible looks for roles.
func rolePaths(root string, cfg ansibleCfg, env func(string) string) []string {
	paths := []string{filepath.Join(root, "roles")}
	switch {
	case env("ANSIBLE_ROLES_PATH") != "":
		paths = append(paths, pathList(env("ANSIBLE_ROLES_PATH"), "")...)
	case len(cfg.rolesPaths) > 0:
		paths = append(paths, cfg.rolesPaths...)
	default:
		paths = append(paths, pathList("~/.ansible/roles:/usr/share/ansible/roles:/etc/ansible/roles", "")...)
	}
	return dedupe(paths)
}

func dedupe(paths []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// RuleRulesdirIgnored notes custom rules the repository asked for and the
// check did not load: they are Python, and would run with the check.
const RuleRulesdirIgnored = "ansible/rulesdir-ignored"

// maxLintConfig bounds an ansible-lint config file.
const maxLintConfig = 1 << 20

// lintConfigFile finds the config ansible-lint would use for a project in
// dir, as ansible-lint does: .ansible-lint or .config/ansible-lint.yml in
// dir or above, stopping at a .git directory.
func lintConfigFile(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		for _, name := range []string{".ansible-lint", filepath.Join(".config", "ansible-lint.yml")} {
			if f := filepath.Join(abs, name); fileExists(f) {
				return f
			}
		}
		if _, err := os.Stat(filepath.Join(abs, ".git")); err == nil {
			return ""
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return ""
		}
		abs = parent
	}
}

// safeLintConfig returns the config file to give ansible-lint: file
// itself, or, when it names a rulesdir and trust is false, a copy under
// tmp without it (its other paths made absolute, as ansible-lint makes
// them relative to the config's directory). dropped lists what was left out.
//
// mocks are modules of collections not installed: added to the config's
// mock_modules (in a copy, or a config of its own when there is none), so
// ansible-lint's syntax check passes and its other rules run.
func safeLintConfig(file, tmp string, trust bool, mocks []string) (use string, dropped []string, err error) {
	if file == "" && len(mocks) == 0 || file != "" && trust && len(mocks) == 0 {
		return file, nil, nil
	}
	cfg := map[string]any{}
	if file != "" {
		data, err := tree.ReadFile(tree.RootFor(".", file), file, maxLintConfig)
		if err != nil {
			return "", nil, fmt.Errorf("ansible-lint config: %w", err)
		}
		if err := yaml.Unmarshal(data, &cfg); err != nil || cfg == nil {
			return file, nil, nil // ansible-lint reports its own config errors
		}
	}
	dirs, hasRules := cfg["rulesdir"]
	if !hasRules && len(mocks) == 0 {
		return file, nil, nil
	}
	list, _ := dirs.([]any)
	if hasRules && !trust {
		for _, d := range list {
			dropped = append(dropped, fmt.Sprint(d))
		}
		delete(cfg, "rulesdir")
	}
	// ansible-lint reads a config's paths relative to the config's
	// directory; the copy is elsewhere.
	base := filepath.Dir(file)
	for _, key := range []string{"exclude_paths", "rulesdir"} {
		if ex, ok := cfg[key].([]any); ok && file != "" {
			for i, p := range ex {
				if s, ok := p.(string); ok && !filepath.IsAbs(s) {
					ex[i] = filepath.Join(base, s)
				}
			}
		}
	}
	if len(mocks) > 0 {
		have, _ := cfg["mock_modules"].([]any)
		for _, m := range mocks {
			if !slices.Contains(have, any(m)) {
				have = append(have, m)
			}
		}
		cfg["mock_modules"] = have
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		return "", nil, err
	}
	f, err := os.CreateTemp(tmp, "ansible-lint-*.yml")
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	if _, err := f.Write(out); err != nil {
		return "", nil, err
	}
	return f.Name(), dropped, nil
}

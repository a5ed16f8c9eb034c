package ansiblelint

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
)

// ansibleCfg is what the preflight reads from ansible.cfg.
type ansibleCfg struct {
	collectionsPaths []string
	rolesPaths       []string
	inventory        []string
}

// readAnsibleCfg reads the ansible.cfg ansible itself would use for a
// project: $ANSIBLE_CONFIG, else ansible.cfg in the project directory.
func readAnsibleCfg(root string, env func(string) string) ansibleCfg {
	file := env("ANSIBLE_CONFIG")
	if file == "" {
		file = filepath.Join(root, "ansible.cfg")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return ansibleCfg{}
	}
	base := filepath.Dir(file)
	var cfg ansibleCfg
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
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

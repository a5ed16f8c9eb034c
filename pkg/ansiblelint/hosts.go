package ansiblelint

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/pkg/inventory"
	"github.com/plumbline/plumbline/pkg/report"
)

// RuleHostsNoMatch: a play's hosts name no group or host of the inventory.
const RuleHostsNoMatch = "ansible/hosts-no-match"

// inventoryNames are the groups and hosts the project's inventories
// declare; unsure when one of them cannot be read that far (a dynamic
// inventory plugin, host ranges, a template).
type inventoryNames struct {
	names  map[string]bool
	found  bool
	unsure bool
	dirs   map[string]bool // directories holding an inventory, cleaned OS paths
}

// dir notes the directory of an inventory file.
func (in *inventoryNames) dir(file string) {
	if in.dirs == nil {
		in.dirs = map[string]bool{}
	}
	in.dirs[filepath.Clean(filepath.Dir(file))] = true
}

func (in *inventoryNames) add(name string) {
	if in.names == nil {
		in.names = map[string]bool{}
	}
	in.names[name] = true
}

// fromINI adds what an INI inventory declares (ParseINI's groups and
// hosts, and the groups named only as children).
func (in *inventoryNames) fromINI(inv *inventory.Inventory, data []byte) {
	in.found = true
	for g, hosts := range inv.Groups {
		in.add(g)
		for _, h := range hosts {
			if strings.ContainsAny(h, "[{") {
				in.unsure = true // web[01:20]: a range ansible expands
			}
			in.add(h)
		}
	}
	kind := ""
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		// A group written out in a comment ("# [proxmox]", an optional
		// group a sample inventory documents) is the author's, not a typo.
		if c := strings.TrimSpace(strings.TrimLeft(line, "#;")); c != line && strings.HasPrefix(c, "[") && strings.HasSuffix(c, "]") {
			name, _, _ := strings.Cut(strings.Trim(c, "[] "), ":")
			in.add(name)
			continue
		}
		switch {
		case strings.HasPrefix(line, "["):
			_, kind, _ = strings.Cut(strings.Trim(line, "[] "), ":")
		case kind == "children" && line != "" && line[0] != '#' && line[0] != ';':
			in.add(strings.Fields(line)[0])
		}
	}
}

// fromYAML adds what a YAML inventory declares (inventory.FromYAML).
// It reports whether n is an inventory.
func (in *inventoryNames) fromYAML(n *yaml.Node) bool {
	inv, ok := inventory.FromYAML(n)
	if !ok {
		return false
	}
	in.found = true
	if inv.Dynamic || inv.Ranges {
		in.unsure = true
	}
	for g, hosts := range inv.Groups {
		in.add(g)
		for _, h := range hosts {
			in.add(h)
		}
	}
	return true
}

// yamlInventory reports whether a YAML file is where inventories live:
// under an inventory/ or inventories/ directory (not its group_vars or
// host_vars), hosts.yml, inventory.yml, or what ansible.cfg names.
func yamlInventory(root, osPath string, cfg ansibleCfg) bool {
	rel, err := filepath.Rel(root, osPath)
	if err != nil {
		return false
	}
	for _, inv := range cfg.inventory {
		if filepath.Clean(filepath.Join(root, inv)) == filepath.Clean(osPath) {
			return true
		}
	}
	dirs := strings.Split(filepath.ToSlash(filepath.Dir(rel)), "/")
	if slices.Contains(dirs, "group_vars") || slices.Contains(dirs, "host_vars") {
		return false
	}
	base := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(osPath), ".yml"), ".yaml")
	return base == "hosts" || base == "inventory" || slices.Contains(dirs, "inventory") || slices.Contains(dirs, "inventories")
}

// hostsPlay is a play's hosts, where it is written.
type hostsPlay struct {
	pattern, file string
	line          int
}

// checkHosts reports a play whose hosts pattern names nothing the
// inventories declare: ansible warns "Could not match supplied host
// pattern" and skips the play, so a typo (dns_servers for dns) makes a
// run that changes nothing look like a success.
func (p *project) checkHosts(in *inventoryNames, plays []hostsPlay) {
	if !in.found || in.unsure {
		return
	}
	for _, pl := range plays {
		var missing []string
		matched := false
		for _, part := range strings.FieldsFunc(pl.pattern, func(r rune) bool { return r == ',' || r == ':' }) {
			name := strings.TrimLeft(strings.TrimSpace(part), "!&")
			switch {
			case name == "":
			case strings.ContainsAny(name, "*?[]~{}()|\\ ") || strings.Contains(pl.pattern, "{{"):
				matched = true // a pattern, regex or template: not judged
			case name == "all" || name == "ungrouped" || name == "localhost" || name == "127.0.0.1" || in.names[name]:
				if !strings.HasPrefix(strings.TrimSpace(part), "!") {
					matched = true
				}
			default:
				missing = append(missing, name)
			}
		}
		if len(missing) == 0 {
			continue
		}
		sev, what := report.Warning, "so that part of the play's hosts is empty"
		if !matched {
			sev, what = report.Error, "so the play runs on no host at all, and the run still succeeds"
		}
		p.add(report.Finding{Rule: RuleHostsNoMatch, Severity: sev, File: relPath(pl.file), Line: pl.line,
			Help: rulesHelp + "ansiblehosts-no-match",
			Message: fmt.Sprintf("hosts %q: no group or host named %s in the inventory (%d names); ansible warns \"Could not match supplied host pattern\" and ignores it, %s",
				pl.pattern, strings.Join(quoteAll(missing), ", "), len(in.names), what)})
	}
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

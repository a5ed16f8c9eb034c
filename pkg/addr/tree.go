package addr

import (
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/pkg/inventory"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tree"
	"github.com/plumbline/plumbline/pkg/zonefile"
)

// MaxFileSize bounds each file read for the plan.
const MaxFileSize = 2 << 20

// Tree reads the plan from every file under paths it knows: Terraform
// (.tf), Ansible inventories (INI or YAML files named hosts* or
// inventory*, or under an inventory/ or inventories/ directory, not their
// group_vars or host_vars), and zone files (*.zone, db.*), and judges it;
// counts are the claims read from each source.
// A file that cannot be read or parsed claims nothing: the check that
// owns its format reports it.
func Tree(walk *tree.Walk, paths []string, ignore *regexp.Regexp) ([]report.Finding, map[Source]int, error) {
	p := &Plan{}
	for _, root := range paths {
		rd, err := tree.NewReader(tree.Root(root))
		if err != nil {
			return nil, nil, err
		}
		files, err := walk.Files(root, ignore)
		if err != nil {
			rd.Close()
			return nil, nil, err
		}
		for _, f := range files {
			kind := kindOf(f)
			if kind == "" {
				continue
			}
			data, err := rd.ReadFile(f, MaxFileSize)
			if err != nil {
				continue
			}
			name, _ := report.RelPath(f)
			p.add(kind, name, data)
		}
		rd.Close()
	}
	found := p.Findings()
	counts := map[Source]int{}
	for _, c := range p.claims {
		counts[c.Source]++
	}
	return found, counts, nil
}

var inventoryDir = regexp.MustCompile(`(^|/)inventor(y|ies)(/|$)`)

// kindOf says which reader a file gets, by its path.
func kindOf(path string) string {
	slash := filepath.ToSlash(path)
	base := strings.ToLower(filepath.Base(path))
	ext := filepath.Ext(base)
	switch {
	case ext == ".tf" || ext == ".tofu":
		return "tf"
	case ext == ".zone" || strings.HasPrefix(base, "db.") && !strings.HasSuffix(base, ".j2"):
		return "zone"
	case strings.Contains(slash, "group_vars/") || strings.Contains(slash, "host_vars/"):
		return ""
	case !(strings.HasPrefix(base, "hosts") || strings.HasPrefix(base, "inventory") || inventoryDir.MatchString(filepath.ToSlash(filepath.Dir(path)))):
		return ""
	case ext == ".yml" || ext == ".yaml":
		return "yaml-inventory"
	case ext == "" || ext == ".ini":
		return "ini-inventory"
	}
	return ""
}

func (p *Plan) add(kind, name string, data []byte) {
	switch kind {
	case "tf":
		p.Terraform(name, data)
	case "zone":
		if _, recs, err := zonefile.Records(name, data); err == nil {
			p.Zone(name, recs)
		}
	case "ini-inventory":
		if inv, err := inventory.ParseINI(name, data); err == nil {
			p.Inventory(name, inv)
		}
	case "yaml-inventory":
		var n yaml.Node
		if yaml.Unmarshal(data, &n) == nil {
			if inv, ok := inventory.FromYAML(&n); ok {
				p.Inventory(name, inv)
			}
		}
	}
}

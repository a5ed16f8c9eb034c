package ansiblelint

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/plumbline/plumbline/pkg/report"
)

// RuleVarsDirUnused: a group_vars or host_vars directory ansible never
// loads.
const RuleVarsDirUnused = "ansible/vars-dir-unused"

// checkVarsDirs reports each group_vars/ or host_vars/ directory that is
// beside neither an inventory nor a playbook: ansible loads them only
// from those two places, so its variables are silently not set (a role's
// defaults, or an undefined-variable failure, in their place). Nothing
// is judged without a known inventory (one given with -i from outside
// the project could sit beside it).
func (p *project) checkVarsDirs() {
	if len(p.varsDirs) == 0 || len(p.inv.dirs) == 0 {
		return
	}
	for _, d := range p.varsDirs {
		parent := filepath.Clean(filepath.Dir(d))
		if p.inv.dirs[parent] || p.plays.books[parent] {
			continue
		}
		var near []string
		for dir := range p.inv.dirs {
			near = append(near, relPath(dir)+"/")
		}
		for dir := range p.plays.books {
			near = append(near, relPath(dir)+"/")
		}
		slices.Sort(near)
		p.add(report.Finding{Rule: RuleVarsDirUnused, Severity: report.Warning, File: relPath(d),
			Help:    rulesHelp + "ansiblevars-dir-unused",
			Message: fmt.Sprintf("ansible never loads %s: it reads %s only beside an inventory or a playbook (here %v), so none of its variables is set; move it there", relPath(d)+"/", filepath.Base(d)+"/", near)})
	}
}

package terraform

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plumbline/plumbline/pkg/report"
)

// RuleModuleCycle is local module calls that go round.
const RuleModuleCycle = "terraform/module-cycle"

// cycles marks each root module whose local module calls go round and
// returns one finding per round.
func cycles(w *walker, sources map[*dir][]*source) []report.Finding {
	var out []report.Finding
	seen := map[string]bool{}
	for _, d := range w.dirs {
		if !d.root {
			continue
		}
		f, ok := moduleCycle(d, sources, w.byOS)
		if !ok {
			continue
		}
		d.cyclic = true
		if at := fmt.Sprintf("%s:%d", f.File, f.Line); !seen[at] {
			seen[at] = true
			out = append(out, f)
		}
	}
	return out
}

// moduleCycle finds local module calls from d that come back to a module
// already on the way (a calls b, b calls a; a module calling "./"):
// terraform init installs such a tree without end, until a path is too
// long for the file system, and fails. The finding is at the call that
// closes the round, which names it; ok is false when there is none.
func moduleCycle(d *dir, sources map[*dir][]*source, byOS map[string]*dir) (f report.Finding, ok bool) {
	var stack []*dir
	on, done := map[*dir]bool{}, map[*dir]bool{}
	var visit func(m *dir) bool
	visit = func(m *dir) bool {
		on[m] = true
		stack = append(stack, m)
		for _, s := range sources[m] {
			if s.vars {
				continue
			}
			content, _, _ := s.file.Body.PartialContent(rootSchema)
			for _, b := range content.Blocks {
				if b.Type != "module" {
					continue
				}
				child := calledModule(b, m, sources, byOS)
				if child == nil {
					continue
				}
				if on[child] {
					var names []string
					for _, x := range stack[slices.Index(stack, child):] {
						names = append(names, shown(x))
					}
					names = append(names, shown(child))
					f = report.Finding{Rule: RuleModuleCycle, Severity: report.Error, File: path.Join(shown(m), filepath.Base(s.path)),
						Line: b.DefRange.Start.Line, Help: helpBase + "module-cycle",
						Message: fmt.Sprintf("module %q closes a round of local module calls, %s: terraform init would install them without end (it fails once a path is too long); init and validate are not run on a root module that calls it",
							b.Labels[0], strings.Join(names, " → "))}
					return true
				}
				if !done[child] && visit(child) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		on[m], done[m] = false, true
		return false
	}
	return f, visit(d)
}

// shown is a module's directory as a message may name it: relative, never
// an absolute path.
func shown(d *dir) string {
	if !filepath.IsAbs(d.rel) {
		return d.rel
	}
	if r, ok := report.RelPath(d.osPath); ok {
		return r
	}
	return filepath.Base(d.osPath)
}

package merge

import (
	"fmt"

	"github.com/plumbline/plumbline/pkg/report"
)

// sameProblem drops a finding that another check's alike finding
// (report.Alike) at the same file and line already shows.
func sameProblem(findings []report.Finding) []report.Finding {
	type key struct {
		group int
		file  string
		line  int
	}
	kept := map[key]int{}
	out := findings[:0:0]
	for _, f := range findings {
		g, ok := report.Alike(f.Rule)
		if !ok || f.File == "" || f.Line == 0 {
			out = append(out, f)
			continue
		}
		k := key{g, f.File, f.Line}
		i, seen := kept[k]
		if !seen {
			kept[k] = len(out)
			out = append(out, f)
			continue
		}
		if out[i].Tool == f.Tool {
			out = append(out, f) // one check's own findings are its own to count
			continue
		}
		keep, other := out[i], f
		if f.Severity > keep.Severity {
			keep, other = f, out[i]
		}
		keep.Message = report.Truncate(fmt.Sprintf("%s (also %s's %s)", keep.Message, other.Tool, other.Rule), report.MaxMessage)
		out[i] = keep
	}
	return out
}

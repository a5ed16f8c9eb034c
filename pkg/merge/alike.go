package merge

import (
	"fmt"

	"github.com/plumbline/plumbline/pkg/report"
)

// alike are rules of different checks that name one problem. Found by
// two checks at the same place, the problem is shown once (the more
// severe finding, else the first), saying which other check found it too:
// a secret variable default is terraform-validate's secret-literal and the
// bundled library's deny_secret_default; a CNAME at a zone's apex is
// dns-zone-diff's cname-conflict and the library's deny_apex_cname.
var alike = [][]string{
	{"terraform/secret-literal", "homelab.terraform/deny_secret_default", "homelab.terraform/deny_secret_tfvars"},
	{"dns/cname-conflict", "homelab.dns/deny_apex_cname"},
}

// group is the alike group of each rule in it.
var group = func() map[string]int {
	g := map[string]int{}
	for i, rules := range alike {
		for _, r := range rules {
			g[r] = i
		}
	}
	return g
}()

// sameProblem drops a finding that another check's alike finding at the
// same file and line already shows.
func sameProblem(findings []report.Finding) []report.Finding {
	type key struct {
		group int
		file  string
		line  int
	}
	kept := map[key]int{}
	out := findings[:0:0]
	for _, f := range findings {
		g, ok := group[f.Rule]
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

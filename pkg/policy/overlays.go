package policy

import (
	"slices"
	"strings"

	"github.com/plumbline/plumbline/pkg/kustomize"
	"github.com/plumbline/plumbline/pkg/report"
)

// mergeOverlays shows a problem of a base once, with every overlay that
// reaches it: the same rule at the same place with the same message, but
// for the "dir: " a rendered finding starts with, is one finding
// "overlays/dev, overlays/prod: ...". A problem one overlay brings (its
// own patch, a different object name) stays its own.
func mergeOverlays(findings []report.Finding, builds map[int]*kustomize.Build) []report.Finding {
	if len(builds) < 2 {
		return findings
	}
	dirs := make([]string, 0, len(builds))
	for _, b := range builds {
		dirs = append(dirs, b.Dir)
	}
	// Longest first: "a/b" before "a" when both are overlays.
	slices.SortFunc(dirs, func(a, b string) int { return len(b) - len(a) })
	split := func(msg string) (dir, rest string) {
		for _, d := range dirs {
			if r, ok := strings.CutPrefix(msg, d+": "); ok {
				return d, r
			}
		}
		return "", msg
	}
	type key struct {
		rule, file, rest string
		line, col        int
		sev              report.Severity
	}
	first := map[key]int{}
	seen := map[key][]string{}
	out := findings[:0:0]
	for _, f := range findings {
		dir, rest := split(f.Message)
		if dir == "" || f.File == "" || f.Line == 0 {
			out = append(out, f)
			continue
		}
		k := key{f.Rule, f.File, rest, f.Line, f.Column, f.Severity}
		if i, ok := first[k]; ok {
			if !slices.Contains(seen[k], dir) {
				seen[k] = append(seen[k], dir)
				out[i].Message = strings.Join(seen[k], ", ") + ": " + rest
			}
			continue
		}
		first[k], seen[k] = len(out), []string{dir}
		out = append(out, f)
	}
	return out
}

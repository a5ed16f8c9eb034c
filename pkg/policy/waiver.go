package policy

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/glob"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tree"
)

// maxWaiverFile bounds the waiver file; a long list is a few KiB.
const maxWaiverFile = 1 << 20

// RuleWaiverInvalid is a waiver file that cannot be used.
const RuleWaiverInvalid = "policy/waiver-invalid"

// Waiver excuses one rule's failures in some files, for a reason, until a
// date. Unlike conftest's exception rules it says why and for how long.
type Waiver struct {
	Rule    string   `yaml:"rule"`    // rule id (namespace/rule); * globs allowed
	Files   []string `yaml:"files"`   // globs of input files, relative to the working directory; ** spans directories
	Reason  string   `yaml:"reason"`  // why the finding is acceptable
	Expires string   `yaml:"expires"` // YYYY-MM-DD; the waiver stops working after that day

	line    int
	expires time.Time
	used    int
	files   []*glob.Glob
}

type waivers struct {
	file string
	list []*Waiver
}

// loadWaivers reads --waivers. The default file may be absent; a file
// named explicitly must exist.
func (c *Check) loadWaivers() (*waivers, error) {
	ws := &waivers{file: c.waivers}
	if c.waivers == "" {
		return ws, nil
	}
	// The waiver file is in the repository: a regular file, inside it.
	data, err := tree.ReadFile(tree.RootFor(".", c.waivers), c.waivers, maxWaiverFile)
	if errors.Is(err, os.ErrNotExist) && c.waivers == DefaultWaivers {
		return ws, nil
	}
	if err != nil {
		return nil, cli.Usagef("--waivers: %w", err)
	}
	// From here on, problems come with the usable waivers.
	var doc struct {
		Waivers yaml.Node `yaml:"waivers"`
	}
	bad := func(line int, format string, args ...any) error {
		return &report.InputError{File: c.waivers, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return ws, bad(1, "%v", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc.Waivers.Kind != yaml.SequenceNode {
		if doc.Waivers.Kind == 0 {
			return ws, nil
		}
		return ws, bad(doc.Waivers.Line, "waivers must be a list")
	}
	var problems []error
	for _, n := range doc.Waivers.Content {
		w := &Waiver{line: n.Line}
		if err := n.Decode(w); err != nil {
			problems = append(problems, bad(n.Line, "%v", strings.TrimPrefix(err.Error(), "yaml: ")))
			continue
		}
		var err error
		switch {
		case w.Rule == "":
			err = bad(n.Line, "a waiver needs a rule (namespace/rule)")
		case strings.TrimSpace(w.Reason) == "":
			err = bad(n.Line, "waiver for %s needs a reason", w.Rule)
		case w.Expires == "":
			err = bad(n.Line, "waiver for %s needs an expiry date (expires: YYYY-MM-DD)", w.Rule)
		}
		if err == nil {
			if w.expires, err = time.Parse(time.DateOnly, w.Expires); err != nil {
				err = bad(n.Line, "waiver for %s: expires %q is not a date (YYYY-MM-DD)", w.Rule, w.Expires)
			}
		}
		if _, perr := path.Match(w.Rule, ""); perr != nil && err == nil {
			err = bad(n.Line, "waiver for %s: bad pattern %q", w.Rule, w.Rule)
		}
		for _, f := range w.Files {
			g, gerr := glob.Compile(f, false)
			if gerr != nil && err == nil {
				err = bad(n.Line, "waiver for %s: bad pattern %q", w.Rule, f)
			}
			w.files = append(w.files, g)
		}
		if err != nil {
			problems = append(problems, err)
			continue
		}
		ws.list = append(ws.list, w)
	}
	return ws, errors.Join(problems...)
}

func (w *Waiver) matches(f report.Finding) bool {
	if ok, _ := path.Match(w.Rule, f.Rule); !ok {
		return false
	}
	if len(w.Files) == 0 {
		return true
	}
	for _, g := range w.files {
		if g.Match(f.File) {
			return true
		}
	}
	return false
}

// apply turns waived failures and warnings into notes and reports expired
// and unused waivers; it returns how many findings were waived.
func (ws *waivers) apply(r *report.Report, now time.Time) int {
	today := now.UTC().Truncate(24 * time.Hour)
	file, _ := report.RelPath(ws.file)
	n := 0
	for _, w := range ws.list {
		expired := today.After(w.expires)
		for i := range r.Findings {
			f := &r.Findings[i]
			if f.Severity == report.Note || strings.HasPrefix(f.Rule, "policy/") || !w.matches(*f) {
				continue
			}
			w.used++
			if expired {
				continue
			}
			f.Severity = report.Note
			f.Message = fmt.Sprintf("waived until %s (%s): %s", w.Expires, w.Reason, f.Message)
			n++
		}
		switch {
		case expired:
			r.Findings = append(r.Findings, report.Finding{Rule: RuleWaiverExpired, Severity: report.Error, File: file, Line: w.line,
				Message: fmt.Sprintf("waiver for %s expired on %s (%s); fix the findings or renew it with a new date", w.Rule, w.Expires, w.Reason)})
		case w.used == 0:
			r.Findings = append(r.Findings, report.Finding{Rule: RuleWaiverUnused, Severity: report.Note, File: file, Line: w.line,
				Message: fmt.Sprintf("waiver for %s matches no finding; remove it", w.Rule)})
		}
	}
	return n
}

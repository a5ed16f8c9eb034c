package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity orders findings: note < warning < error.
type Severity int

const (
	Note Severity = iota + 1
	Warning
	Error
)

var severityNames = map[Severity]string{Note: "note", Warning: "warning", Error: "error"}

func (s Severity) String() string {
	if n, ok := severityNames[s]; ok {
		return n
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity accepts the names used in reports and on the command line.
func ParseSeverity(s string) (Severity, error) {
	for sev, name := range severityNames {
		if s == name {
			return sev, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want error, warning or note)", s)
}

func (s Severity) MarshalText() ([]byte, error) {
	if _, ok := severityNames[s]; !ok {
		return nil, fmt.Errorf("invalid severity %d", int(s))
	}
	return []byte(s.String()), nil
}

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Finding is one problem a check found. File is relative to the scanned root
// and uses forward slashes, so reports from different machines compare equal.
type Finding struct {
	Rule      string   `json:"rule"`
	Severity  Severity `json:"severity"`
	Message   string   `json:"message"`
	File      string   `json:"file,omitempty"`
	Line      int      `json:"line,omitempty"`
	Column    int      `json:"column,omitempty"`
	EndLine   int      `json:"endLine,omitempty"`
	EndColumn int      `json:"endColumn,omitempty"`
	Snippet   string   `json:"snippet,omitempty"`
	// Diff is a unified diff the finding shows whole (k8s/change: an
	// object a change will deploy), within MaxDiff and the report's
	// MaxDiffs.
	Diff string `json:"diff,omitempty"`
	Help string `json:"help,omitempty"`
	// Tool is set on merged reports only, to keep each finding's origin.
	Tool string `json:"tool,omitempty"`
	// Existing: the finding is on a line the change being judged did not
	// write (package change): a pull request's comment shows it after the
	// new ones, and a report with NewSince does not fail on it.
	Existing bool `json:"existing,omitempty"`
}

// Summary counts findings. Passed is the verdict under the threshold the
// producing tool ran with.
type Summary struct {
	Errors   int  `json:"errors"`
	Warnings int  `json:"warnings"`
	Notes    int  `json:"notes"`
	Files    int  `json:"files"`
	Passed   bool `json:"passed"`
	// Existing counts the findings marked Existing, of any severity.
	Existing int `json:"existing,omitempty"`
}

// Status says whether a check in a merged report produced a usable report.
type Status string

const (
	Ran     Status = "ran"
	Missing Status = "missing" // no report file: the check did not run
	Invalid Status = "invalid" // a report file that could not be read or was refused
	Skipped Status = "skipped" // left out by the pipeline (report --when), disabled, or nothing to check (Reason says which)
	// Incomplete: the check reported, but could not do its main work
	// (ansible-lint never ran, nothing was read): never shown as ran.
	Incomplete Status = "incomplete"
)

// Part is one check's part of a merged report: which check, from which
// file, and whether it ran. (A check is one tool's run: cli.Check.)
type Part struct {
	Tool    string `json:"tool"`
	Version string `json:"version,omitempty"`
	Source  string `json:"source"`
	Status  Status `json:"status"`
	// Reason says why a check was skipped, or is incomplete.
	Reason  string  `json:"reason,omitempty"`
	Summary Summary `json:"summary"`
	// Seconds is how long the check ran, as its report says.
	Seconds float64 `json:"seconds,omitempty"`
}

// Report is what every check produces and what writers render.
type Report struct {
	Tool    string `json:"tool"`
	Version string `json:"version"`
	// Run is the run id the producing binary was given (--run-id): report
	// refuses a report whose run id is not the one it was told, so a file
	// committed to the repository or left by an earlier run never counts
	// (docs/security.md).
	Run string `json:"run,omitempty"`
	// Skipped, when set, says why the whole check did not run: it is
	// disabled in .plumbline.yaml, or the part of the repository it checks
	// is not there. A skipped report passes, and every format says so.
	Skipped string `json:"skipped,omitempty"`
	// NewSince, when set, is the git ref the verdict was taken against
	// (plumbline check --new-since): only findings not marked Existing
	// fail the run.
	NewSince string `json:"newSince,omitempty"`
	// Seconds is how long the check ran (a check's own report; a merged
	// report has its checks' in Checks).
	Seconds  float64   `json:"seconds,omitempty"`
	Summary  Summary   `json:"summary"`
	Findings []Finding `json:"findings"`
	// Checks lists the merged inputs; empty for a single check's report.
	Checks []Part `json:"checks,omitempty"`
	// Details are facts about the run people need to trust it: the version
	// of the tool the check drove, what was skipped and why ("skipped").
	Details map[string]string `json:"details,omitempty"`
	// Counts are a check's own tallies that also become Tekton results
	// (dns-zone-diff: creates, deletes, updates). Keep them few.
	Counts map[string]int `json:"counts,omitempty"`
}

// The most text one finding carries: a policy's message is the pull
// request's to write, and 10,000 findings of 6 KiB made a 60 MB report
// (371 MiB to merge). A message past them is cut, and says so.
const (
	MaxMessage = 1024
	MaxSnippet = 256
	MaxHelp    = 256
	maxName    = 512 // file, rule, tool
	// A diff is read whole, so it gets more room; all a report's diffs
	// together get MaxDiffs, the first come first.
	MaxDiff  = 16 << 10
	MaxDiffs = 1 << 20
)

// The report command's rules for a verdict that cannot be trusted (a
// report refused or missing, a config refused or lowered, nothing run):
// defined here, where the verdict is computed (Blocks), and named by
// pkg/merge, which reports them.
const (
	RuleReportInvalid = "report/report-invalid"
	RuleCheckMissing  = "report/check-missing"
	RuleNothingRan    = "report/nothing-ran"
	RuleConfigRefused = "report/config-refused"
	RuleConfigLowered = "report/config-lowered"
)

// Bound cuts f's texts to the most a finding carries.
func (f *Finding) Bound() {
	f.Message = Truncate(f.Message, MaxMessage)
	f.Snippet = Truncate(f.Snippet, MaxSnippet)
	f.Help = Truncate(f.Help, MaxHelp)
	f.Diff = Truncate(f.Diff, MaxDiff)
	f.File, f.Rule, f.Tool = Truncate(f.File, maxName), Truncate(f.Rule, maxName), Truncate(f.Tool, maxName)
}

// BoundDiffs keeps the diffs of fs within MaxDiffs, the first first; a
// diff left out says so in its finding's message.
func BoundDiffs(fs []Finding) {
	total := 0
	for i := range fs {
		if fs[i].Diff == "" {
			continue
		}
		if total += len(fs[i].Diff); total > MaxDiffs {
			fs[i].Diff = ""
			fs[i].Message = Truncate(fs[i].Message+" (diff left out: the report's diffs came to more than 1 MiB)", MaxMessage)
		}
	}
}

// MaxFindings is the most findings one report holds: a check lists the
// most severe and says how many it left out; report refuses more. Ten
// thousand findings is far past what anyone reads, and bounds the memory
// of every writer (docs/security.md).
const MaxFindings = 10000

// MaxMergedFindings bounds a merged report (report's own output, read
// again): the findings of ten checks at their budget.
const MaxMergedFindings = 10 * MaxFindings

// DetailSkipped names what a check did not do; every format shows it, so
// nothing is skipped silently.
const DetailSkipped = "skipped"

// DetailIncomplete says why a check could not do its main work (its tool
// was not run on a project): the merged report shows it incomplete, not
// ran, whatever it found.
const DetailIncomplete = "incomplete"

// IncompleteReason is why r's check could not do its main work, or "":
// its DetailIncomplete, else the message of its first */incomplete
// finding (a check that could not finish).
func (r *Report) IncompleteReason() string {
	if why := r.Details[DetailIncomplete]; why != "" {
		return why
	}
	for _, f := range r.Findings {
		if strings.HasSuffix(f.Rule, "/incomplete") {
			return f.Message
		}
	}
	return ""
}

// Threshold is the lowest severity that fails a run; 0 means never fail.
type Threshold Severity

const Never Threshold = 0

// ParseThreshold reads a --fail-on value.
func ParseThreshold(s string) (Threshold, error) {
	if s == "never" {
		return Never, nil
	}
	sev, err := ParseSeverity(s)
	if err != nil || sev == Note {
		return 0, fmt.Errorf("unknown threshold %q (want error, warning or never)", s)
	}
	return Threshold(sev), nil
}

func (t Threshold) String() string {
	if t == Never {
		return "never"
	}
	return Severity(t).String()
}

// Finalize sorts the findings and recomputes the counts and the verdict, so a
// report never disagrees with its own findings.
func (r *Report) Finalize(failOn Threshold) {
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	Sort(r.Findings)
	r.Summary.Errors, r.Summary.Warnings, r.Summary.Notes, r.Summary.Existing = 0, 0, 0, 0
	var weighed Summary // what the verdict weighs: all, or under NewSince the new ones
	for _, f := range r.Findings {
		counts := []*Summary{&r.Summary}
		if f.Existing {
			r.Summary.Existing++
		}
		if r.NewSince == "" || !f.Existing {
			counts = append(counts, &weighed)
		}
		for _, s := range counts {
			switch f.Severity {
			case Error:
				s.Errors++
			case Warning:
				s.Warnings++
			case Note:
				s.Notes++
			}
		}
	}
	r.Summary.Passed = weighed.Passes(failOn)
	for i := 0; r.Summary.Passed && i < len(r.Findings); i++ {
		// A finding that blocks (a check that could not finish) blocks
		// whether or not the change wrote its line.
		r.Summary.Passed = !r.Findings[i].Blocks()
	}
}

// Blocks reports whether f fails its run whatever the threshold, even at
// failOn never: a check that could not do all its work (TOOL/incomplete)
// and a verdict that cannot be trusted are never a pass. Only an error
// blocks: a report missing at the severity note was asked to be lenient.
func (f Finding) Blocks() bool {
	if f.Severity != Error {
		return false
	}
	switch f.Rule {
	case RuleReportInvalid, RuleCheckMissing, RuleNothingRan, RuleConfigRefused, RuleConfigLowered:
		return true
	}
	return strings.HasSuffix(f.Rule, "/incomplete")
}

// Passes reports whether no finding reaches the threshold.
func (s Summary) Passes(failOn Threshold) bool {
	switch failOn {
	case Threshold(Error):
		return s.Errors == 0
	case Threshold(Warning):
		return s.Errors == 0 && s.Warnings == 0
	}
	return true
}

// Sort orders findings by file, position, rule and message: stable output
// makes reports diffable and golden files possible.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			strings.Compare(a.Tool, b.Tool),
			strings.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			strings.Compare(a.Rule, b.Rule),
			strings.Compare(a.Message, b.Message),
		)
	})
}

// Location renders file:line:column, leaving out what is unknown.
func (f Finding) Location() string {
	var b strings.Builder
	b.WriteString(f.File)
	if f.Line > 0 {
		fmt.Fprintf(&b, ":%d", f.Line)
		if f.Column > 0 {
			fmt.Fprintf(&b, ":%d", f.Column)
		}
	}
	return b.String()
}

// ToolOf returns the tool a finding came from within r.
func (r *Report) ToolOf(f Finding) string {
	return cmp.Or(f.Tool, r.Tool)
}

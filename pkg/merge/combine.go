package merge

import (
	"github.com/plumbline/plumbline/pkg/report"
)

// Rule ids the merge itself reports.
const (
	RuleCheckMissing  = report.RuleCheckMissing
	RuleNothingRan    = report.RuleNothingRan
	RuleReportInvalid = report.RuleReportInvalid
	RuleCheckSkipped  = "report/check-skipped"
)

// Input is one report to merge: a decoded report, or why there is none.
type Input struct {
	// Source is the file (or pattern) the report was expected at.
	Source string
	Report *report.Report
	// Err is set when the file exists but cannot be read as a report, or
	// was refused (not a regular file, another tool's, another run's).
	Err error
	// Skipped names why the pipeline did not ask for this check; the file is
	// then not read at all.
	Skipped string
}

// Options says who merges and how absent reports count.
type Options struct {
	Tool, Version string
	// Missing is the severity of a report that does not exist: a check that
	// did not run is never silently skipped.
	Missing report.Severity
	FailOn  report.Threshold
	// Unchanged, when set, says why no check needed to run (plumbline
	// check --changed-since with nothing changed): a run where none ran
	// is then skipped for it and passes, not report/nothing-ran.
	Unchanged string
}

// Merge combines reports into one whose Checks list every input, so a
// missing or unreadable report is visible in every output format.
func Merge(inputs []Input, o Options) *report.Report {
	out := &report.Report{Tool: o.Tool, Version: o.Version, Findings: []report.Finding{}, Checks: []report.Part{}}
	// The tools a part already stands for: one that ran, or the first
	// skipped one.
	shown := map[string]bool{}
	for _, in := range inputs {
		if in.Err == nil && in.Skipped == "" && in.Report != nil && in.Report.Skipped == "" && len(in.Report.Checks) == 0 {
			shown[in.Report.Tool] = true
		}
	}
	for _, in := range inputs {
		switch {
		case in.Skipped != "":
			out.Checks = append(out.Checks, report.Part{Tool: toolOf(in.Source), Source: in.Source, Status: report.Skipped})
			out.Findings = append(out.Findings, report.Finding{
				Rule: RuleCheckSkipped, Severity: report.Note, Tool: o.Tool,
				Message: toolOf(in.Source) + " was not asked for: " + in.Skipped,
			})
		case in.Err != nil:
			out.Checks = append(out.Checks, report.Part{Tool: toolOf(in.Source), Source: in.Source, Status: report.Invalid})
			out.Findings = append(out.Findings, report.Finding{
				Rule: RuleReportInvalid, Severity: report.Error, Tool: o.Tool,
				Message: "cannot read report: " + in.Err.Error(),
			})
		case in.Report == nil:
			tool := toolOf(in.Source)
			out.Checks = append(out.Checks, report.Part{Tool: tool, Source: in.Source, Status: report.Missing})
			out.Findings = append(out.Findings, report.Finding{
				Rule: RuleCheckMissing, Severity: o.Missing, Tool: o.Tool,
				Message: tool + " did not run: no report at " + in.Source,
			})
		case in.Report.Skipped != "" && shown[in.Report.Tool]:
			// A part of a check that ran elsewhere, skipped, or a second
			// skipped part: nothing more to tell (plumbline-validate's
			// policy-check of the plans, when terraform-plan wrote none;
			// terraform-plan's part says why).
		case in.Report.Skipped != "":
			shown[in.Report.Tool] = true
			// The check ran and found its part of the repository absent
			// or disabled: shown, never counted as a pass of anything.
			r := in.Report
			out.Checks = append(out.Checks, report.Part{Tool: r.Tool, Version: r.Version, Source: in.Source, Status: report.Skipped, Reason: r.Skipped, Seconds: r.Seconds})
			out.Findings = append(out.Findings, report.Finding{
				Rule: RuleCheckSkipped, Severity: report.Note, Tool: o.Tool,
				Message: r.Tool + " skipped: " + r.Skipped,
			})
		case len(in.Report.Checks) > 0:
			// An already merged report: keep its checks and their origins.
			out.Checks = append(out.Checks, in.Report.Checks...)
			for _, f := range in.Report.Findings {
				f.Tool = in.Report.ToolOf(f)
				out.Findings = append(out.Findings, f)
			}
		default:
			r := *in.Report
			r.Findings = append([]report.Finding(nil), r.Findings...)
			for i := range r.Findings {
				r.Findings[i].Tool = r.ToolOf(r.Findings[i])
			}
			r.Finalize(o.FailOn)
			part := report.Part{Tool: r.Tool, Version: r.Version, Source: in.Source, Status: report.Ran, Summary: r.Summary, Seconds: r.Seconds}
			if why := r.IncompleteReason(); why != "" {
				part.Status, part.Reason = report.Incomplete, why
			}
			out.Checks = append(out.Checks, part)
			out.Findings = append(out.Findings, r.Findings...)
		}
	}
	anyRan := false
	for _, c := range out.Checks {
		out.Summary.Files += c.Summary.Files
		anyRan = anyRan || (c.Status != report.Missing && c.Status != report.Skipped)
	}
	// A pipeline whose source never arrived skips every check: that must
	// not read as a pass, however lenient Missing is for one skipped check.
	switch {
	case !anyRan && len(out.Checks) > 0 && o.Unchanged != "":
		out.Skipped = o.Unchanged
	case !anyRan && len(out.Checks) > 0:
		out.Findings = append(out.Findings, report.Finding{
			Rule: RuleNothingRan, Severity: report.Error, Tool: o.Tool,
			Message: "no check ran: none of the reports exists",
		})
	}
	out.Findings = sameProblem(out.Findings)
	out.Finalize(o.FailOn)
	return out
}

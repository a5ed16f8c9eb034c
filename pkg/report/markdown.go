package report

import (
	"fmt"
	"io"
	"strings"
)

// Markdown is a pull-request comment: a verdict, a table of checks and the
// first findings. It stays under GitHub's 65,536-character comment limit.
type Markdown struct {
	MaxFindings int
}

var _ Writer = (*Markdown)(nil)

const (
	defaultMaxFindings = 50
	markdownBudget     = 60000
)

func (m *Markdown) Write(w io.Writer, r *Report) error {
	var b strings.Builder
	icon := "✅"
	switch {
	case !r.Summary.Passed:
		icon = "❌"
	case r.Skipped != "":
		icon = "⏭️"
	}
	fmt.Fprintf(&b, "### %s %s: %s\n\n", icon, mdCell(r.Tool), Counts(r.Summary, len(r.Checks)))
	if r.Skipped != "" {
		fmt.Fprintf(&b, "Skipped: %s\n\n", mdCell(r.Skipped))
	}
	if skipped := r.Details[DetailSkipped]; skipped != "" {
		fmt.Fprintf(&b, "Skipped: %s\n\n", mdCell(skipped))
	}
	b.WriteString("| Check | Version | Status | Errors | Warnings | Notes | Files |\n")
	b.WriteString("|---|---|---|---:|---:|---:|---:|\n")
	checks := r.Checks
	if len(checks) == 0 {
		checks = []Part{{Tool: r.Tool, Version: r.Version, Status: Ran, Summary: r.Summary}}
		if why := r.IncompleteReason(); why != "" {
			checks[0].Status, checks[0].Reason = Incomplete, why
		}
		if r.Skipped != "" {
			checks[0].Status, checks[0].Reason = Skipped, r.Skipped
		}
	}
	for _, c := range checks {
		s := c.Summary
		switch c.Status {
		case Ran:
			status := "✅ pass"
			if !s.Passed {
				status = "❌ fail"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d | %d |\n",
				mdCell(c.Tool), mdCell(c.Version), status, s.Errors, s.Warnings, s.Notes, s.Files)
		case Incomplete:
			fmt.Fprintf(&b, "| %s | %s | ⚠️ incomplete: %s | %d | %d | %d | %d |\n",
				mdCell(c.Tool), mdCell(c.Version), mdCell(oneLine(c.Reason)), s.Errors, s.Warnings, s.Notes, s.Files)
		case Missing:
			fmt.Fprintf(&b, "| %s | | ⚠️ did not run | | | | |\n", mdCell(c.Tool))
		case Skipped:
			why := "not asked for"
			if c.Reason != "" {
				why = "skipped: " + mdCell(c.Reason)
			}
			fmt.Fprintf(&b, "| %s | %s | ⏭️ %s | | | | |\n", mdCell(c.Tool), mdCell(c.Version), why)
		default:
			fmt.Fprintf(&b, "| %s | | ❌ unreadable report | | | | |\n", mdCell(c.Tool))
		}
	}
	if len(r.Findings) > 0 {
		limit := m.MaxFindings
		if limit <= 0 {
			limit = defaultMaxFindings
		}
		fmt.Fprintf(&b, "\n<details open><summary>Findings</summary>\n\n")
		b.WriteString("| Severity | Location | Rule | Message |\n|---|---|---|---|\n")
		shown := 0
		for _, f := range r.Findings {
			row := fmt.Sprintf("| %s | %s | %s | %s |\n",
				f.Severity, mdCode(f.Location()), mdCode(f.Rule), mdCell(oneLine(f.Message)))
			if shown == limit || b.Len()+len(row) > markdownBudget {
				break
			}
			b.WriteString(row)
			shown++
		}
		if rest := len(r.Findings) - shown; rest > 0 {
			fmt.Fprintf(&b, "\n… and %s more in the full report.\n", plural(rest, "finding"))
		}
		b.WriteString("\n</details>\n")
	}
	out := b.String()
	if len(out) > commentLimit {
		out = Truncate(out, commentLimit-len(cutNote)) + cutNote
	}
	_, err := io.WriteString(w, out)
	return err
}

// commentLimit is GitHub's limit on a comment's length; cutNote says the
// comment was cut there.
const (
	commentLimit = 65536
	cutNote      = "\n\n… cut at GitHub's comment limit; the full report is in the pipeline's workspace.\n"
)

// mdEscaper keeps text from the checked repository inert in a comment: no
// table breaks, no HTML, no @mention that would notify someone (the
// zero-width space is what GitHub's own bots insert), no #123 reference.
var mdEscaper = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "\n", " ", "\r", " ", "`", "'",
	"@", "@&#8203;", "#", "#&#8203;")

func mdCell(s string) string { return mdEscaper.Replace(Printable(s)) }

// mdCode is a code span: GitHub finds no mention or reference in one, and
// shows entities as typed, so only what would end the span is replaced.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	return "`" + codeEscaper.Replace(Printable(s)) + "`"
}

var codeEscaper = strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "`", "'")

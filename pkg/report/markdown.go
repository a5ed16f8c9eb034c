package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Markdown is a pull-request comment: a verdict, a table of checks and the
// findings that matter first. Findings are ordered by severity, then by
// file; under the size budget (GitHub's 65,536-character comment limit;
// Gitea 1.26, and Forgejo after it, check no size on a comment and store
// it as LONGTEXT, so GitHub's bounds both) rows are cut from the least severe
// up, notes first, and every finding left out is still counted, by
// severity and rule, in a summary: an error is never dropped unseen.
// When the report marks findings Existing (a pull request's base is
// known), the new ones lead and the rest are collapsed below them.
type Markdown struct {
	// MaxFindings bounds the rows of warnings and notes (50 by default);
	// errors are listed while the budget lasts.
	MaxFindings int
	// Budget is the most bytes the comment takes (60,000 by default).
	Budget int
	// ReportURL is where the full report can be read (the run in the
	// Tekton Dashboard); ReportPlace, without one, says where it is kept.
	ReportURL, ReportPlace string
}

var _ Writer = (*Markdown)(nil)

const (
	defaultMaxFindings = 50
	markdownBudget     = 60000
	// maxGroups bounds the summary of findings left out: one line per
	// severity and rule, then one line for the rest.
	maxGroups = 60
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
	rest := m.collapse(&b, m.collapse(&b, r, deploysSection), planSection)
	m.findings(&b, rest)
	out := b.String()
	if len(out) > commentLimit {
		out = Truncate(out, commentLimit-len(cutNote)) + cutNote
	}
	_, err := io.WriteString(w, out)
	return err
}

// deploysShare is the part of the budget the rendered diff may take: the
// findings that fail the run come after it and must still fit.
const deploysShare = 2

// section is a collapsed part of the comment: findings that carry a diff,
// grouped by the first part of their message ("GROUP: …"), each group
// collapsed with the counts of its kinds in the summary.
type section struct {
	title string               // "What this change deploys"
	kind  func(Finding) string // the finding's kind ("added", "to add"); "" is not in the section
	order []string             // the kinds, in the order the counts name them
	unit  string               // what a group is ("overlay or release")
	units string               // and more of them ("overlays or releases")
	item  string               // what a diff is, for the count of those not shown
	// keep: the finding also stays in the findings table.
	keep func(Finding) bool
}

// deploysSection is what a change deploys (pkg/delta's k8s/change notes),
// per overlay or release.
var deploysSection = section{title: "What this change deploys", order: []string{"added", "changed", "removed"},
	unit: "overlay or release", units: "overlays or releases", item: "object's diff",
	kind: func(f Finding) string {
		if f.Rule != "k8s/change" || f.Diff == "" {
			return ""
		}
		// "GROUP: OP KIND NAME", as pkg/delta writes it.
		_, what, _ := strings.Cut(f.Message, ": ")
		op, _, _ := strings.Cut(what, " ")
		return op
	},
	keep: func(Finding) bool { return false }}

// planSection is what the Terraform plans do (terraform-plan's findings),
// per root module: creates and in-place updates leave the table,
// replacements, destroys and drift stay in it, where people read first.
var planSection = section{title: "What the Terraform plan does", order: []string{"to add", "to change", "to replace", "to destroy", "drifted"},
	unit: "root module", units: "root modules", item: "resource's change",
	kind: func(f Finding) string {
		if f.Diff == "" {
			return ""
		}
		return map[string]string{"terraform/plan-create": "to add", "terraform/plan-update": "to change",
			"terraform/plan-replace": "to replace", "terraform/plan-destroy": "to destroy", "terraform/plan-drift": "drifted"}[f.Rule]
	},
	keep: func(f Finding) bool { return f.Severity > Note }}

// collapse writes s's findings of r, grouped and collapsed, and returns
// the report for the findings table: without them, unless s keeps them.
// Diffs past their share of the budget are counted, not shown.
func (m *Markdown) collapse(b *strings.Builder, r *Report, s section) *Report {
	// A report at its budget is large: copied only when there is
	// something to take out of it.
	if !slices.ContainsFunc(r.Findings, func(f Finding) bool { return s.kind(f) != "" }) {
		return r
	}
	type group struct {
		name  string
		items []Finding
		kinds map[string]int
	}
	var groups []*group
	byName := map[string]*group{}
	total := map[string]int{}
	rest := *r
	rest.Findings = nil
	for _, f := range r.Findings {
		k := s.kind(f)
		if k == "" || s.keep(f) {
			rest.Findings = append(rest.Findings, f)
		}
		if k == "" {
			continue
		}
		name, _, _ := strings.Cut(f.Message, ": ")
		g := byName[name]
		if g == nil {
			g = &group{name: name, kinds: map[string]int{}}
			byName[name] = g
			groups = append(groups, g)
		}
		g.items = append(g.items, f)
		g.kinds[k]++
		total[k]++
	}
	counts := func(kinds map[string]int) string {
		var parts []string
		for _, k := range s.order {
			if kinds[k] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", kinds[k], k))
			}
		}
		return strings.Join(parts, ", ")
	}
	room := cmp.Or(m.Budget, markdownBudget) / deploysShare
	start := b.Len()
	units := "1 " + s.unit
	if len(groups) != 1 {
		units = fmt.Sprintf("%d %s", len(groups), s.units)
	}
	fmt.Fprintf(b, "\n<details><summary>%s: %s, in %s</summary>\n\n", s.title, counts(total), units)
	left := 0
	for _, g := range groups {
		fmt.Fprintf(b, "<details><summary><code>%s</code>: %s</summary>\n\n", mdCell(g.name), counts(g.kinds))
		for _, f := range g.items {
			_, what, _ := strings.Cut(f.Message, ": ")
			block := fmt.Sprintf("**%s** (%s)\n\n%s\n", mdCell(oneLine(what)), mdCode(f.Location()), fenced(f.Diff, "diff"))
			if b.Len()-start+len(block) > room {
				left++
				continue
			}
			b.WriteString(block)
		}
		b.WriteString("</details>\n\n")
	}
	if left > 0 {
		fmt.Fprintf(b, "%s not shown here, to stay under the comment limit: the full report has them.\n\n", plural(left, s.item))
	}
	b.WriteString("</details>\n")
	return &rest
}

// fenced is text in a code block whose fence no backtick run in it can
// close.
func fenced(text, lang string) string {
	run, longest := 0, 0
	for _, c := range text {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + lang + "\n" + strings.TrimRight(text, "\n") + "\n" + fence + "\n"
}

// commentLimit is GitHub's limit on a comment's length; cutNote says the
// comment was cut there.
const (
	commentLimit = 65536
	cutNote      = "\n\n… cut at GitHub's comment limit; the full report has everything.\n"
)

// findings writes the findings' rows, new ones first, then the summary of
// those left out and where the full report is.
func (m *Markdown) findings(b *strings.Builder, r *Report) {
	if len(r.Findings) == 0 {
		return
	}
	limit := cmp.Or(m.MaxFindings, defaultMaxFindings)
	budget := cmp.Or(m.Budget, markdownBudget)
	order := slices.Clone(r.Findings)
	slices.SortStableFunc(order, func(a, c Finding) int {
		return cmp.Or(cmp.Compare(c.Severity, a.Severity), boolCmp(a.Existing, c.Existing),
			strings.Compare(a.File, c.File), cmp.Compare(a.Line, c.Line), cmp.Compare(a.Column, c.Column))
	})
	// The summary of everything is the most the summary of what is left
	// out can take: reserve it, then fill the rest with rows.
	link := m.link()
	reserve := len(omitted(order)) + len(link) + 600 // section headers
	room := budget - b.Len() - reserve
	var shown []Finding
	lesser := 0
	var left []Finding
	for i, f := range order {
		// Past the first finding that does not fit, nothing of lower
		// priority is listed: a note never takes an error's place.
		row := mdRow(f)
		if room-len(row) < 0 || (f.Severity != Error && lesser == limit) {
			left = order[i:]
			break
		}
		room -= len(row)
		if f.Severity != Error {
			lesser++
		}
		shown = append(shown, f)
	}
	var fresh, old []Finding
	for _, f := range shown {
		if f.Existing {
			old = append(old, f)
		} else {
			fresh = append(fresh, f)
		}
	}
	existing := r.Summary.Existing
	switch {
	case existing == 0:
		b.WriteString("\n<details open><summary>Findings</summary>\n\n")
		table(b, fresh)
		b.WriteString("\n</details>\n")
	default:
		fmt.Fprintf(b, "\n<details open><summary>New in this change: %s</summary>\n\n", plural(len(r.Findings)-existing, "finding"))
		table(b, fresh)
		fmt.Fprintf(b, "\n</details>\n\n<details><summary>Already there before this change: %s</summary>\n\n", plural(existing, "finding"))
		table(b, old)
		b.WriteString("\n</details>\n")
	}
	if len(left) > 0 {
		b.WriteString(omitted(left))
	}
	b.WriteString(link)
}

// boolCmp orders false before true.
func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func mdRow(f Finding) string {
	return fmt.Sprintf("| %s | %s | %s | %s |\n", f.Severity, mdCode(f.Location()), mdCode(f.Rule), mdCell(oneLine(f.Message)))
}

func table(b *strings.Builder, fs []Finding) {
	if len(fs) == 0 {
		b.WriteString("None listed here.\n")
		return
	}
	b.WriteString("| Severity | Location | Rule | Message |\n|---|---|---|---|\n")
	for _, f := range fs {
		b.WriteString(mdRow(f))
	}
}

// omitted summarises findings not listed, by severity and rule, most
// severe first: counts and the first files, never the findings' text.
func omitted(fs []Finding) string {
	if len(fs) == 0 {
		return ""
	}
	type group struct {
		sev   Severity
		rule  string
		n     int
		files []string
	}
	var groups []*group
	index := map[[2]string]*group{}
	var total Summary
	for _, f := range fs {
		switch f.Severity {
		case Error:
			total.Errors++
		case Warning:
			total.Warnings++
		default:
			total.Notes++
		}
		k := [2]string{f.Severity.String(), f.Rule}
		g := index[k]
		if g == nil {
			g = &group{sev: f.Severity, rule: f.Rule}
			index[k] = g
			groups = append(groups, g)
		}
		g.n++
		if f.File != "" && len(g.files) < 3 && !slices.Contains(g.files, f.File) {
			g.files = append(g.files, f.File)
		}
	}
	slices.SortStableFunc(groups, func(a, b *group) int { return cmp.Or(cmp.Compare(b.sev, a.sev), cmp.Compare(b.n, a.n)) })
	var b strings.Builder
	fmt.Fprintf(&b, "\nNot listed above, to stay under the comment limit: %s, %s, %s, by rule:\n\n",
		plural(total.Errors, "error"), plural(total.Warnings, "warning"), plural(total.Notes, "note"))
	b.WriteString("| Severity | Rule | Findings | First files |\n|---|---|---:|---|\n")
	for i, g := range groups {
		if i == maxGroups {
			var rest Summary
			for _, g := range groups[i:] {
				switch g.sev {
				case Error:
					rest.Errors += g.n
				case Warning:
					rest.Warnings += g.n
				default:
					rest.Notes += g.n
				}
			}
			fmt.Fprintf(&b, "| | %d more rules | %d | %s, %s, %s |\n", len(groups)-i, rest.Errors+rest.Warnings+rest.Notes,
				plural(rest.Errors, "error"), plural(rest.Warnings, "warning"), plural(rest.Notes, "note"))
			break
		}
		var files []string
		for _, f := range g.files {
			files = append(files, mdCode(f))
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s |\n", g.sev, mdCode(g.rule), g.n, strings.Join(files, ", "))
	}
	return b.String()
}

// link says where the full report is.
func (m *Markdown) link() string {
	switch {
	case m.ReportURL != "":
		return "\nThe full report: " + mdLink("this run", m.ReportURL) + "\n"
	case m.ReportPlace != "":
		return "\nThe full report: " + mdCell(m.ReportPlace) + "\n"
	}
	return ""
}

// mdLink is an http(s) URL as a link; anything else as inert text.
func mdLink(text, u string) string {
	if (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && !strings.ContainsAny(u, " <>()[]\"'`\n\r") {
		return "[" + text + "](" + u + ")"
	}
	return mdCode(u)
}

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

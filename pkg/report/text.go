package report

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Text is the human format: a verdict line, the checks of a merged report,
// then findings grouped by file. Help links are left to the other formats
// to keep logs short.
type Text struct {
	Color bool
}

var _ Writer = (*Text)(nil)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

func (t *Text) paint(code, s string) string {
	if !t.Color {
		return s
	}
	return code + s + ansiReset
}

func (t *Text) severity(s Severity) string {
	code := map[Severity]string{Error: ansiRed, Warning: ansiYellow, Note: ansiCyan}[s]
	return t.paint(code, fmt.Sprintf("%-7s", s))
}

func (t *Text) Write(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	verdict := t.paint(ansiBold+ansiGreen, "PASS")
	switch {
	case !r.Summary.Passed:
		verdict = t.paint(ansiBold+ansiRed, "FAIL")
	case r.Skipped != "":
		verdict = t.paint(ansiBold, "SKIPPED")
	}
	name := Printable(strings.TrimSpace(r.Tool + " " + r.Version))
	fmt.Fprintf(bw, "%s: %s: %s\n", name, verdict, Counts(r.Summary, len(r.Checks)))
	if r.Skipped != "" {
		fmt.Fprintf(bw, "  skipped: %s\n", Printable(r.Skipped))
	}
	if r.Summary.Existing > 0 {
		judged := "they count as the others do"
		if r.NewSince != "" {
			judged = "only the new ones decide the verdict (new since " + Printable(r.NewSince) + ")"
		}
		fmt.Fprintf(bw, "  %d already there before this change, marked so below: %s\n", r.Summary.Existing, judged)
	}
	for _, k := range slices.Sorted(maps.Keys(r.Details)) {
		fmt.Fprintf(bw, "  %s: %s\n", Printable(k), Printable(r.Details[k]))
	}
	for _, c := range r.Checks {
		fmt.Fprintf(bw, "  %-20s %-10s %-8s %s\n", Printable(c.Tool), Printable(c.Version), c.Status, Printable(checkDetail(c)))
	}
	group := "\x00"
	for _, f := range r.Findings {
		if key := f.Tool + "\x00" + f.File; key != group {
			group = key
			heading := Printable(f.File)
			if heading == "" {
				heading = "(no file)"
			}
			if f.Tool != "" {
				heading += " (" + f.Tool + ")"
			}
			fmt.Fprintf(bw, "\n%s\n", t.paint(ansiBold, heading))
		}
		pos := ""
		if f.Line > 0 {
			pos = fmt.Sprintf("%d:%d", f.Line, max(f.Column, 1))
		}
		// Names and messages come from the checked repository: escapes
		// and newlines are shown, never obeyed by the terminal or the log.
		old := ""
		if f.Existing {
			old = " (already there)"
		}
		fmt.Fprintf(bw, "  %-8s %s %s  %s%s\n", pos, t.severity(f.Severity), Printable(f.Rule), Printable(oneLine(f.Message)), old)
		if f.Snippet != "" {
			lines := strings.Split(strings.TrimRight(f.Snippet, "\n"), "\n")
			// A long snippet (a whole file's fmt diff) is folded: the
			// rest is in the JSON and SARIF reports.
			shown := lines
			if len(lines) > maxSnippetLines {
				shown = lines[:maxSnippetLines]
			}
			for _, l := range shown {
				fmt.Fprintf(bw, "           | %s\n", Printable(l))
			}
			if rest := len(lines) - len(shown); rest > 0 {
				fmt.Fprintf(bw, "           | … %s more (the whole snippet is in the JSON report)\n", plural(rest, "line"))
			}
		}
		if f.Diff != "" {
			for _, l := range strings.Split(strings.TrimRight(f.Diff, "\n"), "\n") {
				fmt.Fprintf(bw, "           %s\n", t.diffLine(Printable(l)))
			}
		}
	}
	return bw.Flush()
}

// maxSnippetLines is the most lines of one snippet the text format shows.
const maxSnippetLines = 20

func checkDetail(c Part) string {
	switch c.Status {
	case Missing:
		return "did not run (no report at " + c.Source + ")"
	case Skipped:
		if c.Reason != "" {
			return "skipped: " + c.Reason
		}
		return "not asked for by the pipeline"
	case Invalid:
		return "report unreadable: " + c.Source
	case Incomplete:
		return oneLine(c.Reason) + "; " + Counts(c.Summary, 0)
	}
	return Counts(c.Summary, 0)
}

// Counts is the one-line count used by the text format and Tekton results.
func Counts(s Summary, checks int) string {
	out := fmt.Sprintf("%s, %s, %s in %s",
		plural(s.Errors, "error"), plural(s.Warnings, "warning"), plural(s.Notes, "note"), plural(s.Files, "file"))
	if checks > 0 {
		out += " from " + plural(checks, "check")
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// oneLine keeps a multi-line message on its row; the rest is in the snippet
// or the JSON report.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// diffLine colours a unified diff's line as git does.
func (t *Text) diffLine(l string) string {
	switch {
	case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
		return t.paint(ansiBold, l)
	case strings.HasPrefix(l, "+"):
		return t.paint(ansiGreen, l)
	case strings.HasPrefix(l, "-"):
		return t.paint(ansiRed, l)
	case strings.HasPrefix(l, "@@"):
		return t.paint(ansiCyan, l)
	}
	return l
}

package plumbline

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"github.com/plumbline/plumbline/docs"
	"github.com/plumbline/plumbline/pkg/policy"
	"github.com/plumbline/plumbline/pkg/report"
)

// Rule is one rule id as the docs (or a policy's METADATA) describe it.
type Rule struct {
	ID       string
	Severity string // error, warning, note; empty when it depends
	Summary  string
	Doc      string // the doc file, and the rule's own section when it has one
	Detail   string
}

var (
	ruleID   = regexp.MustCompile("^`([a-z][a-z0-9.-]*/[a-z0-9-]+)`$")
	severity = regexp.MustCompile(`^(error|warning|note)\b`)
	// ruleColumn finds a table header with a column named rule (or rule id).
	ruleColumn = regexp.MustCompile(`\|\s*rule( id)?\s*\|`)
)

// Rules lists every rule documented in docs/ (the rows of their rule
// tables, and a "## name" section where there is one), then every rule of
// the bundled homelab policy library, sorted by id.
func Rules() ([]Rule, error) {
	var rules []Rule
	seen := map[string]bool{}
	err := fs.WalkDir(docs.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
			return err
		}
		data, err := docs.FS.ReadFile(p)
		if err != nil {
			return err
		}
		for _, r := range tableRules(string(data)) {
			if !seen[r.ID] {
				seen[r.ID] = true
				r.Doc = "docs/" + p
				rules = append(rules, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	lib, err := policy.LibraryRules()
	if err != nil {
		return nil, err
	}
	for _, l := range lib {
		if !seen[l.ID] {
			seen[l.ID] = true
			rules = append(rules, Rule{ID: l.ID, Severity: l.Severity.String(), Summary: l.Help, Doc: "docs/policies.md"})
		}
	}
	slices.SortFunc(rules, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return rules, nil
}

// tableRules reads the rows of a Markdown table whose first backticked
// cell is a rule id; a "## name" section after the table is the rule's
// detail.
func tableRules(md string) []Rule {
	var rules []Rule
	sections := map[string]string{}
	var cur, header string
	var body strings.Builder
	flush := func() {
		if cur != "" {
			sections[cur] = strings.TrimSpace(body.String())
		}
		body.Reset()
	}
	sc := bufio.NewScanner(strings.NewReader(md))
	for sc.Scan() {
		line := sc.Text()
		if h, ok := strings.CutPrefix(line, "## "); ok {
			flush()
			cur = strings.TrimSpace(h)
			continue
		}
		if cur != "" {
			body.WriteString(line + "\n")
		}
		if !strings.HasPrefix(line, "|") {
			header = ""
			continue
		}
		if header == "" {
			// A table's first row names its columns: only a table of
			// rules (a column "rule") lists rules, not one of packages,
			// files or benchmarks that names them in passing.
			header = strings.ToLower(line)
			continue
		}
		if !ruleColumn.MatchString(header) {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		var r Rule
		for i, c := range cells {
			c = strings.TrimSpace(c)
			if m := ruleID.FindStringSubmatch(c); m != nil && r.ID == "" {
				r.ID = m[1]
				continue
			}
			if r.ID != "" && r.Severity == "" && i < len(cells)-1 {
				if m := severity.FindString(c); m != "" {
					r.Severity = m
				}
			}
		}
		if r.ID != "" {
			r.Summary = strings.TrimSpace(cells[len(cells)-1])
			rules = append(rules, r)
		}
	}
	flush()
	for i, r := range rules {
		_, name, _ := strings.Cut(r.ID, "/")
		if d, ok := sections[name]; ok {
			rules[i].Detail = d
		}
	}
	return rules
}

// printRules lists the rules, or shows one.
func printRules(w io.Writer, id string) error {
	rules, err := Rules()
	if err != nil {
		return err
	}
	if id == "" {
		for _, r := range rules {
			sev := r.Severity
			if sev == "" {
				sev = "-"
			}
			fmt.Fprintf(w, "%-40s %-8s %s\n", r.ID, sev, oneLine(r.Summary))
		}
		return nil
	}
	i := slices.IndexFunc(rules, func(r Rule) bool { return r.ID == id })
	if base, _, tagged := strings.Cut(id, "["); i < 0 && tagged {
		// A finding's id with its tag (ansible-lint/yaml[truthy]): the rule.
		i = slices.IndexFunc(rules, func(r Rule) bool { return r.ID == base })
	}
	if i < 0 {
		return fmt.Errorf("no rule %q (plumbline rules lists them)", report.Truncate(id, 80))
	}
	r := rules[i]
	fmt.Fprintf(w, "%s\n\nseverity: %s\ndocumented in: %s\n\n%s\n", r.ID, cmp.Or(r.Severity, "depends on the finding"), r.Doc, plain(r.Summary))
	if r.Detail != "" {
		fmt.Fprintf(w, "\n%s\n", r.Detail)
	}
	return nil
}

// oneLine is a summary's first sentence, without Markdown's backticks.
func oneLine(s string) string {
	s = plain(s)
	if i := strings.Index(s, ". "); i > 0 {
		s = s[:i]
	}
	return report.Truncate(s, 100)
}

func plain(s string) string { return strings.ReplaceAll(s, "`", "") }

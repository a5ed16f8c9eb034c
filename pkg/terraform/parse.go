package terraform

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"

	"github.com/plumbline/plumbline/pkg/nesting"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tree"
)

// Limits that keep hostile input from taking the process down: a file
// larger than MaxFileSize is not read, and nesting deeper than MaxNesting
// is refused before the recursive-descent parser sees it.
const (
	MaxFileSize = 10 << 20
	MaxNesting  = 256
)

// Rule ids of the syntax pass.
const (
	RuleSyntax = "terraform/syntax"
	RuleRead   = "terraform/unreadable"
)

// source is one parsed file.
type source struct {
	path string // as reported: relative to the scanned root, slashes
	file *hcl.File
	text []byte
	// items is what the file may hold (nesting.Items): the budgets of a
	// run and of what terraform is run on count it.
	items int
	vars  bool // a .tfvars file: values, not configuration
	test  bool // a .tftest.hcl or .tfmock.hcl file: terraform test's, not configuration
	// starts are the byte offsets of the lines, made on first use.
	starts []int
}

// isTerraformFile: configuration, OpenTofu's .tofu files too (tofu reads a
// .tofu file instead of the .tf file of the same name; terraform ignores
// it).
func isTerraformFile(name string) bool {
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json") ||
		strings.HasSuffix(name, ".tofu") || strings.HasSuffix(name, ".tofu.json")
}

func isVarsFile(name string) bool {
	return strings.HasSuffix(name, ".tfvars") || strings.HasSuffix(name, ".tfvars.json")
}

// isTestFile: terraform test's files, which terraform fmt formats too.
func isTestFile(name string) bool {
	return strings.HasSuffix(name, ".tftest.hcl") || strings.HasSuffix(name, ".tfmock.hcl") ||
		strings.HasSuffix(name, ".tftest.json") || strings.HasSuffix(name, ".tfmock.json")
}

// MaxItems bounds the values (nesting.Items) of one file parsed: 300,000
// take some 200 MiB to parse, far past any real configuration.
const MaxItems = nesting.HCLItems

// MaxRunItems bounds the values of all the files one run parses and keeps
// (their syntax trees stay for the rules and init): 600,000, some 400 MiB.
const MaxRunItems = 600_000

// parseFile reads and parses one file. Problems are findings, never errors:
// a broken file is what this check exists to report.
func parseFile(osPath, rel string) (*source, []report.Finding) {
	bad := func(rule, format string, args ...any) []report.Finding {
		return []report.Finding{{Rule: rule, Severity: report.Error, File: rel, Message: fmt.Sprintf(format, args...)}}
	}
	// A regular file inside the tree: never a symlink to a secret, which
	// a syntax error would quote.
	text, err := tree.ReadFile(tree.RootFor(".", osPath), osPath, MaxFileSize)
	var te *tree.Error
	switch {
	case errors.As(err, &te):
		return nil, bad(RuleRead, "%s", te.Msg)
	case err != nil:
		return nil, bad(RuleRead, "cannot read: %v", err)
	}
	items := nesting.Items(text)
	if items > MaxItems {
		return nil, bad(RuleTooLarge, "about %d values: more than the %d a file may hold (parsing takes several hundred bytes of memory for each); not checked", items, MaxItems)
	}
	if line, what, ok := nesting.Deeper(text, MaxNesting); ok {
		f := bad(RuleSyntax, "%s nested deeper than %d levels", what, MaxNesting)
		f[0].Line = line
		return nil, f
	}
	var file *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(rel, ".json") {
		file, diags = hcljson.Parse(text, rel)
	} else {
		file, diags = hclsyntax.ParseConfig(text, rel, hcl.InitialPos)
	}
	findings := diagFindings(RuleSyntax, diags, "")
	if diags.HasErrors() {
		return nil, findings
	}
	return &source{path: rel, file: file, text: text, items: items, vars: isVarsFile(rel), test: isTestFile(rel)}, findings
}

// diagFindings maps HCL diagnostics to findings; prefix is prepended to
// file names that are relative to a module directory.
func diagFindings(rule string, diags hcl.Diagnostics, prefix string) []report.Finding {
	var fs []report.Finding
	for _, d := range diags {
		f := report.Finding{Rule: rule, Severity: report.Error, Message: diagMessage(d.Summary, d.Detail)}
		if d.Severity == hcl.DiagWarning {
			f.Severity = report.Warning
		}
		if r := d.Subject; r != nil {
			f.File = prefix + r.Filename
			setRange(&f, *r)
		}
		fs = append(fs, f)
	}
	return fs
}

func diagMessage(summary, detail string) string {
	if detail == "" {
		return summary
	}
	return summary + ": " + detail
}

func setRange(f *report.Finding, r hcl.Range) {
	f.Line, f.Column = r.Start.Line, r.Start.Column
	if r.End.Line >= r.Start.Line && r.End.Line > 0 {
		f.EndLine, f.EndColumn = r.End.Line, r.End.Column
	}
}

package merge_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/plumbline/plumbline/pkg/merge"
	"github.com/plumbline/plumbline/pkg/report"
)

func TestMerge(t *testing.T) {
	tf := &report.Report{Tool: "terraform-validate", Version: "1.0", Summary: report.Summary{Files: 3, Errors: 99}, Findings: []report.Finding{
		{Rule: "terraform/a", Severity: report.Warning, Message: "w", File: "b.tf", Line: 2},
		{Rule: "terraform/b", Severity: report.Error, Message: "e", File: "a.tf", Line: 1},
	}}
	opts := merge.Options{Tool: "report", Version: "0.1", Missing: report.Warning, FailOn: report.Threshold(report.Error)}
	tests := []struct {
		name   string
		inputs []merge.Input
		opts   merge.Options
		want   *report.Report
	}{
		{
			name:   "counts come from findings, not from the input summary",
			inputs: []merge.Input{{Source: "r/tf.json", Report: tf}},
			opts:   opts,
			want: &report.Report{Tool: "report", Version: "0.1",
				Summary: report.Summary{Errors: 1, Warnings: 1, Files: 3},
				Findings: []report.Finding{
					{Rule: "terraform/b", Severity: report.Error, Message: "e", File: "a.tf", Line: 1, Tool: "terraform-validate"},
					{Rule: "terraform/a", Severity: report.Warning, Message: "w", File: "b.tf", Line: 2, Tool: "terraform-validate"},
				},
				Checks: []report.Part{{Tool: "terraform-validate", Version: "1.0", Source: "r/tf.json", Status: report.Ran, Summary: report.Summary{Errors: 1, Warnings: 1, Files: 3}}},
			},
		},
		{
			name:   "a missing report is a check that did not run",
			inputs: []merge.Input{{Source: "r/dns-zone-diff.json"}, {Source: "r/p.json", Report: &report.Report{Tool: "policy-check"}}},
			opts:   merge.Options{Tool: "report", Missing: report.Error, FailOn: report.Threshold(report.Error)},
			want: &report.Report{Tool: "report",
				Summary:  report.Summary{Errors: 1},
				Findings: []report.Finding{{Rule: merge.RuleCheckMissing, Severity: report.Error, Tool: "report", Message: "dns-zone-diff did not run: no report at r/dns-zone-diff.json"}},
				Checks: []report.Part{{Tool: "dns-zone-diff", Source: "r/dns-zone-diff.json", Status: report.Missing},
					{Tool: "policy-check", Source: "r/p.json", Status: report.Ran, Summary: report.Summary{Passed: true}}},
			},
		},
		{
			// A clone that failed skips every check; lenient Missing must
			// not turn that into a pass.
			name:   "no report at all is an error",
			inputs: []merge.Input{{Source: "r/terraform-validate.json"}, {Source: "r/policy-check.json"}},
			opts:   merge.Options{Tool: "report", Missing: report.Warning, FailOn: report.Threshold(report.Error)},
			want: &report.Report{Tool: "report",
				Summary: report.Summary{Errors: 1, Warnings: 2},
				Findings: []report.Finding{
					{Rule: merge.RuleCheckMissing, Severity: report.Warning, Tool: "report", Message: "policy-check did not run: no report at r/policy-check.json"},
					{Rule: merge.RuleCheckMissing, Severity: report.Warning, Tool: "report", Message: "terraform-validate did not run: no report at r/terraform-validate.json"},
					{Rule: merge.RuleNothingRan, Severity: report.Error, Tool: "report", Message: "no check ran: none of the reports exists"},
				},
				Checks: []report.Part{{Tool: "terraform-validate", Source: "r/terraform-validate.json", Status: report.Missing},
					{Tool: "policy-check", Source: "r/policy-check.json", Status: report.Missing}},
			},
		},
		{
			// Issue 31: a check that could not do its main work is never
			// shown as ran, by its detail or by its incomplete finding.
			name: "a check that could not do its main work is incomplete, with why",
			inputs: []merge.Input{
				{Source: "r/a.json", Report: &report.Report{Tool: "ansible-lint-check", Details: map[string]string{report.DetailIncomplete: "ansible-lint was not run on ansible"},
					Findings: []report.Finding{{Rule: "ansible/unreadable", Severity: report.Error, Message: "refused"}}}},
				{Source: "r/p.json", Report: &report.Report{Tool: "policy-check",
					Findings: []report.Finding{{Rule: "policy-check/incomplete", Severity: report.Error, Message: "the check could not finish: kustomize"}}}},
			},
			opts: merge.Options{Tool: "report", Missing: report.Error, FailOn: report.Threshold(report.Error)},
			want: &report.Report{Tool: "report",
				Summary: report.Summary{Errors: 2},
				Findings: []report.Finding{
					{Rule: "ansible/unreadable", Severity: report.Error, Message: "refused", Tool: "ansible-lint-check"},
					{Rule: "policy-check/incomplete", Severity: report.Error, Message: "the check could not finish: kustomize", Tool: "policy-check"},
				},
				Checks: []report.Part{
					{Tool: "ansible-lint-check", Source: "r/a.json", Status: report.Incomplete, Reason: "ansible-lint was not run on ansible", Summary: report.Summary{Errors: 1}},
					{Tool: "policy-check", Source: "r/p.json", Status: report.Incomplete, Reason: "the check could not finish: kustomize", Summary: report.Summary{Errors: 1}},
				},
			},
		},
		{
			// Issue 31: one problem two checks find is shown once.
			name: "a problem found by two checks is shown once, saying so",
			inputs: []merge.Input{
				{Source: "r/terraform-validate.json", Report: &report.Report{Tool: "terraform-validate", Findings: []report.Finding{
					{Rule: "terraform/secret-literal", Severity: report.Error, File: "tf/variables.tf", Line: 4, Message: `variable "pm_password" has a literal default`},
					{Rule: "terraform/secret-literal", Severity: report.Error, File: "tf/variables.tf", Line: 9, Message: "another"},
				}}},
				{Source: "r/policy-check.json", Report: &report.Report{Tool: "policy-check", Findings: []report.Finding{
					{Rule: "homelab.terraform/deny_secret_default", Severity: report.Error, File: "tf/variables.tf", Line: 4, Message: "variable pm_password has a plaintext default"},
					{Rule: "homelab.terraform/deny_secret_default", Severity: report.Error, File: "tf/other.tf", Line: 4, Message: "elsewhere"},
				}}},
			},
			opts: merge.Options{Tool: "report", Missing: report.Error, FailOn: report.Threshold(report.Error)},
			want: &report.Report{Tool: "report",
				Summary: report.Summary{Errors: 3},
				Findings: []report.Finding{
					{Rule: "homelab.terraform/deny_secret_default", Severity: report.Error, File: "tf/other.tf", Line: 4, Message: "elsewhere", Tool: "policy-check"},
					{Rule: "terraform/secret-literal", Severity: report.Error, File: "tf/variables.tf", Line: 4, Tool: "terraform-validate",
						Message: `variable "pm_password" has a literal default (also policy-check's homelab.terraform/deny_secret_default)`},
					{Rule: "terraform/secret-literal", Severity: report.Error, File: "tf/variables.tf", Line: 9, Message: "another", Tool: "terraform-validate"},
				},
				Checks: []report.Part{
					{Tool: "terraform-validate", Source: "r/terraform-validate.json", Status: report.Ran, Summary: report.Summary{Errors: 2}},
					{Tool: "policy-check", Source: "r/policy-check.json", Status: report.Ran, Summary: report.Summary{Errors: 2}},
				},
			},
		},
		{
			// plumbline-validate checks the repository in its first step
			// and the plans after terraform-plan, which most runs have none of.
			name: "a skipped part of a check that ran, or a second skipped part, is not a check of its own",
			inputs: []merge.Input{
				{Source: "r/policy-check.json", Report: &report.Report{Tool: "policy-check", Summary: report.Summary{Files: 5},
					Findings: []report.Finding{{Rule: "k8s/schema", Severity: report.Error, Message: "e", File: "a.yaml", Line: 1}}}},
				{Source: "r/plans/policy-check.json", Report: &report.Report{Tool: "policy-check", Skipped: "no Terraform plans"}},
				{Source: "r/dns-zone-diff.json", Report: &report.Report{Tool: "dns-zone-diff", Skipped: "no zones"}},
				{Source: "r/more/dns-zone-diff.json", Report: &report.Report{Tool: "dns-zone-diff", Skipped: "no more zones"}},
			},
			opts: merge.Options{Tool: "report", Missing: report.Error, FailOn: report.Threshold(report.Error)},
			want: &report.Report{Tool: "report",
				Summary: report.Summary{Errors: 1, Notes: 1, Files: 5},
				Findings: []report.Finding{
					{Rule: "k8s/schema", Severity: report.Error, Message: "e", File: "a.yaml", Line: 1, Tool: "policy-check"},
					{Rule: merge.RuleCheckSkipped, Severity: report.Note, Tool: "report", Message: "dns-zone-diff skipped: no zones"},
				},
				Checks: []report.Part{
					{Tool: "policy-check", Source: "r/policy-check.json", Status: report.Ran, Summary: report.Summary{Errors: 1, Files: 5}},
					{Tool: "dns-zone-diff", Source: "r/dns-zone-diff.json", Status: report.Skipped, Reason: "no zones"},
				},
			},
		},
		{
			name:   "an unreadable report is an error with its reason, and fails even at failOn never",
			inputs: []merge.Input{{Source: "r/x.json", Err: errors.New("r/x.json:1:1: want a JSON object")}},
			opts:   merge.Options{Tool: "report", Missing: report.Note, FailOn: report.Never},
			want: &report.Report{Tool: "report",
				Summary:  report.Summary{Errors: 1, Passed: false},
				Findings: []report.Finding{{Rule: merge.RuleReportInvalid, Severity: report.Error, Tool: "report", Message: "cannot read report: r/x.json:1:1: want a JSON object"}},
				Checks:   []report.Part{{Tool: "x", Source: "r/x.json", Status: report.Invalid}},
			},
		},
		{
			name: "a merged report merges again without losing origins",
			inputs: []merge.Input{{Source: "merged.json", Report: &report.Report{Tool: "report",
				Findings: []report.Finding{{Rule: "r", Severity: report.Note, Message: "n", Tool: "policy-check"}},
				Checks:   []report.Part{{Tool: "policy-check", Source: "p.json", Status: report.Ran, Summary: report.Summary{Notes: 1, Files: 2, Passed: true}}},
			}}},
			opts: opts,
			want: &report.Report{Tool: "report", Version: "0.1",
				Summary:  report.Summary{Notes: 1, Files: 2, Passed: true},
				Findings: []report.Finding{{Rule: "r", Severity: report.Note, Message: "n", Tool: "policy-check"}},
				Checks:   []report.Part{{Tool: "policy-check", Source: "p.json", Status: report.Ran, Summary: report.Summary{Notes: 1, Files: 2, Passed: true}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := merge.Merge(tt.inputs, tt.opts)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if tf.Findings[0].Tool != "" {
		t.Error("Merge changed its input's findings")
	}
}

func TestThresholds(t *testing.T) {
	s := report.Summary{Warnings: 1}
	for _, tt := range []struct {
		flag string
		pass bool
	}{{"error", true}, {"warning", false}, {"never", true}} {
		th, err := report.ParseThreshold(tt.flag)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Passes(th); got != tt.pass {
			t.Errorf("--fail-on %s with one warning: pass = %v, want %v", tt.flag, got, tt.pass)
		}
	}
	for _, bad := range []string{"note", "Error", "", "fatal"} {
		if _, err := report.ParseThreshold(bad); err == nil {
			t.Errorf("ParseThreshold(%q) accepted", bad)
		}
	}
}

func TestRelPath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"a/b.tf", "a/b.tf", true},
		{filepath.Join(dir, "x", "y.tf"), "x/y.tf", true},
		{"..foo/z.tf", "..foo/z.tf", true}, // a name that starts with two dots is inside
		{"../up.tf", "../up.tf", false},
		{"/etc/hosts", "/etc/hosts", false},
	} {
		got, ok := report.RelPath(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("RelPath(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

package results_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/results"
)

func readAll(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got[e.Name()] = string(b)
	}
	return got
}

func TestWrite(t *testing.T) {
	r := &report.Report{Tool: "terraform-validate", Summary: report.Summary{Files: 4}, Findings: []report.Finding{
		{Rule: "a", Severity: report.Error, Message: "m"},
		{Rule: "b", Severity: report.Warning, Message: "m"},
		{Rule: "c", Severity: report.Warning, Message: "m"},
	}}
	r.Finalize(report.Threshold(report.Error))
	dir := filepath.Join(t.TempDir(), "results")
	if err := results.Write(dir, r); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"errors":   "1",
		"warnings": "2",
		"status":   "fail",
		"summary":  "terraform-validate fail: 1 error, 2 warnings, 0 notes in 4 files",
	}
	if diff := cmp.Diff(want, readAll(t, dir)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestSizeCap: the termination message of a whole TaskRun is capped at 4,096
// bytes, so our results must stay small however much a check finds.
func TestSizeCap(t *testing.T) {
	r := &report.Report{Tool: strings.Repeat("very-long-tool-name-", 50), Summary: report.Summary{Files: 123456}}
	for i := range 10000 {
		r.Findings = append(r.Findings, report.Finding{
			Rule: fmt.Sprintf("rule/%d", i), Severity: report.Severity(i%3 + 1),
			Message: strings.Repeat("x", 200), File: fmt.Sprintf("dir/file-%d.tf", i), Line: i + 1,
		})
	}
	for i := range 40 {
		r.Checks = append(r.Checks, report.Part{Tool: fmt.Sprintf("check-%d", i), Status: report.Ran})
	}
	r.Finalize(report.Threshold(report.Warning))
	dir := t.TempDir()
	if err := results.Write(dir, r); err != nil {
		t.Fatal(err)
	}
	total := 0
	for name, v := range readAll(t, dir) {
		total += len(name) + len(v)
		if strings.HasSuffix(v, "\n") {
			t.Errorf("result %s ends in a newline", name)
		}
		if !utf8.ValidString(v) {
			t.Errorf("result %s is not valid UTF-8 after truncation", name)
		}
	}
	if total >= 1024 {
		t.Errorf("results total %d bytes with 10,000 findings, want < 1024", total)
	}
	if got := readAll(t, dir)["errors"]; got != "3333" {
		t.Errorf("errors = %s, want 3333", got)
	}
}

func TestCountsBecomeResults(t *testing.T) {
	r := &report.Report{Tool: "dns-zone-diff", Counts: map[string]int{"creates": 2, "deletes": 1, "updates": 0, "Bad Name": 5, "status": 9}}
	r.Finalize(report.Threshold(report.Error))
	got := results.Values(r)
	want := map[string]string{"errors": "0", "warnings": "0", "status": "pass", "creates": "2", "deletes": "1", "updates": "0",
		"summary": "dns-zone-diff pass: 0 errors, 0 warnings, 0 notes in 0 files"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

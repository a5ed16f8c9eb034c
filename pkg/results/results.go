package results

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"

	"github.com/plumbline/plumbline/pkg/report"
)

// Names of the results every Plumbline Task declares.
const (
	Errors   = "errors"
	Warnings = "warnings"
	Status   = "status"
	Summary  = "summary"
	// ReportDigest is the sha256 of the JSON report a check wrote. A
	// StepAction emits it as a step result, which only its own step can
	// write (Tekton mounts every other step's results read-only), so the
	// report step of one pod can tell a report rewritten by a later step.
	ReportDigest = "report-sha256"
)

// MaxSummary bounds the summary line so that all results together stay far
// below 1,024 bytes whatever the report holds.
const MaxSummary = 512

// Values are the results of a report: short, fixed in number, bounded in size.
func Values(r *report.Report) map[string]string {
	status := "pass"
	switch {
	case !r.Summary.Passed:
		status = "fail"
	case r.Skipped != "":
		status = "skipped"
	}
	summary := fmt.Sprintf("%s %s: %s", r.Tool, status, report.Counts(r.Summary, len(r.Checks)))
	if r.Skipped != "" {
		summary = fmt.Sprintf("%s skipped: %s", r.Tool, r.Skipped)
	}
	if skipped := r.Details[report.DetailSkipped]; skipped != "" {
		summary += "; skipped " + skipped
	}
	// A check that could not do its main work is said so, never left
	// to look like one that ran.
	if why := r.IncompleteReason(); why != "" && len(r.Checks) == 0 {
		summary += "; incomplete: " + why
	}
	for _, c := range r.Checks {
		if c.Status == report.Incomplete {
			summary += "; " + c.Tool + " incomplete: " + c.Reason
		}
	}
	values := map[string]string{
		Errors:   strconv.Itoa(r.Summary.Errors),
		Warnings: strconv.Itoa(r.Summary.Warnings),
		Status:   status,
		Summary:  report.Truncate(summary, MaxSummary),
	}
	// A check's own counts become results too, if their names are valid
	// result names and they are few: the size cap must hold.
	names := slices.Sorted(maps.Keys(r.Counts))
	for _, name := range names[:min(len(names), MaxCounts)] {
		if _, taken := values[name]; !taken && resultName.MatchString(name) {
			values[name] = strconv.Itoa(r.Counts[name])
		}
	}
	return values
}

// MaxCounts bounds how many of a report's counts become results.
const MaxCounts = 8

var resultName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// WriteFiles writes the result each name in files maps to into its file
// (a step result's path, $(step.results.NAME.path)), exactly those: a
// StepAction declares its results and the entrypoint reads only them. A
// count the report does not hold is 0 (it counted nothing), a digest of a
// report that could not be written is empty, and extra
// holds results that are not the report's own (ReportDigest). Tekton
// names a step's result files one by one ($(step.results.NAME.path)), with
// no variable for their directory, so they cannot go through Write.
func WriteFiles(files map[string]string, r *report.Report, extra map[string]string) error {
	values := Values(r)
	maps.Copy(values, extra)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		value, ok := values[name]
		if !ok && name != ReportDigest {
			value = "0" // a count of nothing; no digest is no report, and says so
		}
		if err := writeResult(files[name], value); err != nil {
			return fmt.Errorf("write result %s: %w", name, err)
		}
	}
	return nil
}

// Known reports whether name can be asked of WriteFiles: a result every
// report has, the report's digest, or a count's name.
func Known(name string) bool {
	switch name {
	case Errors, Warnings, Status, Summary, ReportDigest:
		return true
	}
	return resultName.MatchString(name)
}

func writeResult(file, value string) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return os.WriteFile(file, []byte(value), 0o644)
}

// Write writes one file per result into dir, with no trailing newline:
// Tekton would keep it as part of the value.
func Write(dir string, r *report.Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("results dir: %w", err)
	}
	for name, value := range Values(r) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(value), 0o644); err != nil {
			return fmt.Errorf("write result %s: %w", name, err)
		}
	}
	return nil
}

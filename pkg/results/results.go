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

package merge

import (
	"fmt"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/config"
	"github.com/plumbline/plumbline/pkg/report"
)

// RuleConfigLowered is an error: a pull request's .plumbline.yaml switches
// off a check the base branch runs. Its author would otherwise pass their
// own change by saying so in it.
const RuleConfigLowered = report.RuleConfigLowered

// RuleConfigRefused is an error: the config report was pointed at is not
// the one the fetch step recorded (a step running the repository's code
// rewrote it, or wrote one), or cannot be read. The run is judged without
// it, and fails.
const RuleConfigRefused = report.RuleConfigRefused

// RuleBarRaised is a note: the run is judged at the base branch's
// threshold, higher than the pull request's config asks for.
const RuleBarRaised = "report/bar-raised"

var _ cli.Floorer = (*Check)(nil)

// Floor reads the base branch's config (--base-config, which must be the
// file the fetch step recorded by --base-config-sha256; without a digest
// or a --base-revision there is no base branch) and returns its threshold: a pull request
// is judged at least as strictly as the branch it would merge into. The
// base branch without a config sets the default bar, error. cfg is the
// pull request's own config; what it lowers is kept for Run to say.
func (c *Check) Floor(cfg *config.Config) (report.Threshold, error) {
	// The digest or the revision says there is a base branch: the fetch
	// step gives a digest only for a pull request, the triggers a revision
	// only for one, and the Tasks name the file always.
	if c.baseConfigSum == "" && c.baseRevision == "" {
		return report.Never, nil
	}
	if c.baseConfig == "" {
		return report.Never, cli.Usagef("--base-config-sha256 and --base-revision need --base-config")
	}
	base, err := config.LoadPinned(c.baseConfig, c.baseConfigSum)
	if err != nil {
		return report.Threshold(report.Error), fmt.Errorf("base branch's config: %w", err)
	}
	c.base, c.hasBase, c.head = base, true, cfg
	bar := report.Threshold(report.Error)
	if base != nil && base.FailOn != "" {
		if bar, err = report.ParseThreshold(base.FailOn); err != nil {
			return report.Threshold(report.Error), fmt.Errorf("base branch's config: %w", err)
		}
	}
	if base != nil && base.Report != nil && base.Report.Missing != "" {
		if m, err := report.ParseSeverity(base.Report.Missing); err == nil {
			c.baseMissing = m
		}
	}
	c.bar = bar
	return bar, nil
}

// lowered lists what the pull request's config switches off or lowers
// against the base branch's, for the checks merged: an error for each
// check it disables, a note when its threshold is raised to the base's.
func (c *Check) lowered(tools []string, failOn report.Threshold) []report.Finding {
	if !c.hasBase {
		return nil
	}
	var out []report.Finding
	if c.head != nil {
		for _, tool := range tools {
			if !c.head.Enabled(tool) && (c.base == nil || c.base.Enabled(tool)) {
				out = append(out, report.Finding{Rule: RuleConfigLowered, Severity: report.Error, Tool: Tool, File: config.FileName,
					Message: fmt.Sprintf("the pull request's config disables %s, which the base branch runs: a pull request cannot switch off its own checks (change the base branch's config first)", tool)})
			}
		}
		if c.head.FailOn != "" {
			if own, err := report.ParseThreshold(c.head.FailOn); err == nil && own < c.bar && failOn == c.bar {
				out = append(out, report.Finding{Rule: RuleBarRaised, Severity: report.Note, Tool: Tool, File: config.FileName,
					Message: fmt.Sprintf("judged at failOn %s, the base branch's: the pull request's config says %s", c.bar, own)})
			}
		}
	}
	return out
}

package plumbline

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/plumbline/plumbline/pkg/ansiblelint"
	"github.com/plumbline/plumbline/pkg/change"
	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/config"
	"github.com/plumbline/plumbline/pkg/delta"
	"github.com/plumbline/plumbline/pkg/dnszone"
	"github.com/plumbline/plumbline/pkg/merge"
	"github.com/plumbline/plumbline/pkg/policy"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/terraform"
	"github.com/plumbline/plumbline/pkg/version"
)

// Tool is the merged report's name.
const Tool = "plumbline"

// RuleToolMissing: a check's tool is not installed on this machine, so the
// check ran without it or not at all.
const RuleToolMissing = "plumbline/tool-missing"

// Checks are the checks plumbline check runs, by their short names.
func Checks() []Named {
	return []Named{
		{"terraform", terraform.Command()},
		{"ansible", ansiblelint.Command()},
		{"policy", policy.Command()},
		{"dns", dnszone.Command()},
	}
}

// Named is a check and the short name --only and the config use.
type Named struct {
	Short   string
	Command cli.Command
}

// Check is plumbline check: every enabled check of the repository, in
// this process and at once, merged as report merges them.
type Check struct {
	only         cli.List
	changedSince string
	newSince     string
	quiet        bool
	fetchCharts  bool
	plan         bool
	// LookPath finds a tool on PATH (exec.LookPath when nil).
	LookPath func(string) (string, error)
}

var _ cli.Check = (*Check)(nil)

func (c *Check) Flags(fs *flag.FlagSet) {
	fs.Var(&c.only, "only", "run only these `CHECKS` (terraform, ansible, policy, dns; comma-separated)")
	fs.StringVar(&c.changedSince, "changed-since", "", "run only the checks whose paths changed since git `REF` (a fast pre-push)")
	fs.StringVar(&c.newSince, "new-since", "", "fail only on findings on lines changed since git `REF` (committed, staged, edited or new files); the others are shown as already there (a pre-push that an old finding does not block); policy-check also shows what the change deploys (k8s/change, as plumbline diff REF)")
	fs.BoolVar(&c.quiet, "quiet", false, "no live progress on the terminal")
	fs.BoolVar(&c.plan, "plan", false, "also plan the Terraform root modules against their state (terraform-plan: the providers run with your credentials, from the environment) and check the plans with policy-check")
	fs.BoolVar(&c.fetchCharts, "fetch-charts", false, "policy-check fetches the charts the chart cache lacks from the policy.chartRepos repositories (and no other)")
}

// outcome is one check's run.
type outcome struct {
	named Named
	r     *report.Report
	err   error
	took  time.Duration
}

func (c *Check) Run(ctx context.Context, req cli.Request) (*report.Report, error) {
	checks, err := c.selected()
	if err != nil {
		return nil, err
	}
	// A change is counted from where HEAD left the ref (their merge
	// base), as a pull request's is: a base that moved on is not read as
	// this change undoing its commits.
	var lines *change.Set
	newBase := ""
	if c.newSince != "" {
		if newBase, err = change.MergeBase(ctx, ".", c.newSince); err != nil {
			return nil, cli.Usagef("--new-since %s: %w", c.newSince, err)
		}
		if lines, err = change.Git(ctx, ".", newBase); err != nil {
			return nil, cli.Usagef("--new-since %s: %w", c.newSince, err)
		}
	}
	// With a base, policy-check also says what the change deploys: the
	// rendered diff against the base's files (k8s/change).
	baseDir := ""
	if c.newSince != "" && slices.ContainsFunc(checks, func(n Named) bool { return n.Short == "policy" }) {
		dir, err := os.MkdirTemp("", "plumbline-base-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		if err := delta.Export(ctx, ".", newBase, dir); err != nil {
			return nil, cli.Usagef("--new-since %s: %w", c.newSince, err)
		}
		baseDir = dir
	}
	var changed []string
	if c.changedSince != "" {
		base := newBase
		if c.changedSince != c.newSince { // the pre-push gives both the same ref
			if base, err = change.MergeBase(ctx, ".", c.changedSince); err != nil {
				return nil, cli.Usagef("--changed-since %s: %w", c.changedSince, err)
			}
		}
		if changed, err = gitChanged(ctx, base); err != nil {
			return nil, cli.Usagef("--changed-since %s: %w", c.changedSince, err)
		}
	}
	// The checks that narrow to what a change touches (terraform: the
	// root modules it reaches; ansible: the playbooks and roles; dns: the
	// zones) read it as the pipelines give it, a diff.
	changesFile := ""
	if c.changedSince != "" {
		f, err := os.CreateTemp("", "plumbline-changes-*.diff")
		if err != nil {
			return nil, err
		}
		defer os.Remove(f.Name())
		for _, p := range changed {
			p = filepath.ToSlash(p)
			fmt.Fprintf(f, "diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n", p, p, p, p)
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		changesFile = f.Name()
	}
	look := c.LookPath
	if look == nil {
		look = exec.LookPath
	}
	var term io.Writer
	if !c.quiet {
		term = req.Terminal
	}
	progress := newProgress(term)
	// The plan comes first: policy-check reads what it writes.
	var planned *outcome
	planDir := ""
	if c.plan {
		dir, err := os.MkdirTemp("", "plumbline-plans-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		planDir = dir
		planned = c.runPlan(ctx, req, look, progress, dir)
	}
	outs := make([]outcome, len(checks))
	var wg sync.WaitGroup
	for i, n := range checks {
		outs[i].named = n
		var args []string
		var notes []report.Finding
		reason := ""
		if c.changedSince != "" && (req.Config == nil || req.Config.Enabled(n.Command.FileName())) {
			// A disabled check says so (in its own run), not "nothing changed".
			if p := pathsOf(n, req.Config); !touched(changed, p) {
				reason = fmt.Sprintf("nothing changed under %s since %s", strings.Join(p, ", "), c.changedSince)
			}
		}
		if reason == "" {
			args, notes, reason = tools(n, look)
		}
		if n.Short == "policy" && baseDir != "" {
			args = append(args, "--base-dir="+baseDir)
		}
		if changesFile != "" {
			args = append(args, "--changes="+changesFile)
		}
		if n.Short == "policy" && c.fetchCharts {
			args = append(args, "--fetch-charts")
		}
		if n.Short == "policy" && planDir != "" {
			args = append(args, "--plans="+planDir)
		}
		if reason != "" {
			outs[i].r = &report.Report{Tool: n.Command.FileName(), Version: version.String(), Skipped: reason, Findings: notes}
			outs[i].r.Finalize(req.FailOn)
			continue
		}
		wg.Go(func() {
			start := time.Now()
			done := progress.start(n.Command.FileName())
			r, err := cli.Embedded(ctx, n.Command, req.Config, args, cli.Request{FailOn: req.FailOn, Progress: io.Discard})
			r.Findings = append(r.Findings, notes...)
			r.Finalize(req.FailOn)
			outs[i].r, outs[i].err, outs[i].took = r, err, time.Since(start)
			done(r, err)
		})
	}
	wg.Wait()
	progress.stop()
	if planned != nil {
		outs = append([]outcome{*planned}, outs...)
	}

	var inputs []merge.Input
	var errs []error
	for _, o := range outs {
		inputs = append(inputs, merge.Input{Source: o.named.Command.FileName(), Report: o.r})
		if o.err != nil {
			// Its report already holds the incomplete finding saying why.
			errs = append(errs, cli.Reported(fmt.Errorf("%s: %w", o.named.Command.FileName(), o.err)))
		}
	}
	opts := merge.Options{Tool: Tool, Version: version.String(), Missing: report.Error, FailOn: req.FailOn}
	if c.changedSince != "" {
		opts.Unchanged = "nothing any check reads changed since " + c.changedSince
	}
	merged := merge.Merge(inputs, opts)
	if lines != nil {
		lines.Mark(merged.Findings)
		merged.NewSince = c.newSince
		merged.Finalize(req.FailOn)
	}
	return merged, errors.Join(errs...)
}

// runPlan runs terraform-plan into dir, as plumbline check --plan's
// first step. Credentials are the caller's environment's: on a laptop
// the user is the one trusted.
func (c *Check) runPlan(ctx context.Context, req cli.Request, look func(string) (string, error), progress *progress, dir string) *outcome {
	n := Named{"plan", terraform.PlanCommand()}
	o := &outcome{named: n}
	if _, err := look("terraform"); err != nil {
		if _, err := look("tofu"); err != nil {
			o.r = &report.Report{Tool: n.Command.FileName(), Version: version.String(), Skipped: "terraform (or tofu) is not installed here: nothing planned"}
			o.r.Finalize(req.FailOn)
			return o
		}
	}
	start := time.Now()
	done := progress.start(n.Command.FileName())
	r, err := cli.Embedded(ctx, n.Command, req.Config, []string{"--plan-dir=" + dir, "--pass-env"}, cli.Request{FailOn: req.FailOn, Progress: io.Discard})
	r.Finalize(req.FailOn)
	o.r, o.err, o.took = r, err, time.Since(start)
	done(r, err)
	return o
}

// selected are the checks --only names, all by default.
func (c *Check) selected() ([]Named, error) {
	all := Checks()
	if len(c.only) == 0 {
		return all, nil
	}
	var out []Named
	for _, name := range c.only {
		i := slices.IndexFunc(all, func(n Named) bool { return n.Short == name || n.Command.Name == name })
		if i < 0 {
			var known []string
			for _, n := range all {
				known = append(known, n.Short)
			}
			return nil, cli.Usagef("--only %s: no such check (%s)", name, strings.Join(known, ", "))
		}
		if !slices.ContainsFunc(out, func(n Named) bool { return n.Short == all[i].Short }) {
			out = append(out, all[i])
		}
	}
	return out, nil
}

// tools: a check whose tool is not on this machine still runs what it
// can without it (terraform's syntax and rules), or is skipped, with a
// note on how to install it.
func tools(n Named, look func(string) (string, error)) (args []string, notes []report.Finding, skip string) {
	has := func(bins ...string) bool {
		return slices.ContainsFunc(bins, func(b string) bool { _, err := look(b); return err == nil })
	}
	switch n.Short {
	case "terraform":
		if !has("terraform", "tofu") {
			return []string{"--offline", "--fmt=false"}, []report.Finding{{Rule: RuleToolMissing, Severity: report.Note,
				Message: "terraform (or tofu) is not installed here: syntax and rules checked, fmt, init and validate skipped; install it (https://developer.hashicorp.com/terraform/install) to run them"}}, ""
		}
	case "ansible":
		if !has("ansible-lint") {
			return nil, nil, "ansible-lint is not installed here: pipx install ansible-lint (or apt-get install ansible-lint)"
		}
	}
	return nil, nil, ""
}

// pathsOf are the paths a check looks at: the config's, else its
// defaults; for DNS the desired sources of its zones, else dns/.
func pathsOf(n Named, cfg *config.Config) []string {
	if n.Short == "dns" {
		var out []string
		if cfg != nil {
			for _, z := range cfg.ResolvedZones() {
				out = append(out, z.Desired)
			}
		}
		if len(out) > 0 {
			return out
		}
		return []string{"dns"}
	}
	if cfg != nil {
		for _, s := range cfg.Settings(n.Command.FileName()) {
			if s.Flag == "" {
				return s.Values
			}
		}
	}
	if d, ok := n.Command.Check.(cli.Defaulter); ok {
		return d.DefaultPaths()
	}
	return []string{"."}
}

// touched reports whether a changed file is under one of paths.
func touched(changed, paths []string) bool {
	for _, f := range changed {
		for _, p := range paths {
			p = filepath.Clean(p)
			if p == "." || f == p || strings.HasPrefix(f, p+string(filepath.Separator)) {
				return true
			}
		}
	}
	return false
}

// gitChanged lists the files that differ from ref: committed, staged,
// modified or new (untracked and not ignored), relative to the working
// directory.
func gitChanged(ctx context.Context, ref string) ([]string, error) {
	var files []string
	for _, args := range [][]string{
		{"diff", "--name-only", "--relative", ref, "--"},
		{"ls-files", "--others", "--exclude-standard"},
	} {
		out, err := exec.CommandContext(ctx, "git", args...).Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return nil, fmt.Errorf("git %s: %s", args[0], strings.TrimSpace(string(ee.Stderr)))
			}
			return nil, err
		}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if l != "" {
				files = append(files, filepath.FromSlash(l))
			}
		}
	}
	return files, nil
}

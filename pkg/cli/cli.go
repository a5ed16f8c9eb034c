package cli

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/plumbline/plumbline/pkg/config"
	"github.com/plumbline/plumbline/pkg/proc"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/results"
	"github.com/plumbline/plumbline/pkg/tree"
	"github.com/plumbline/plumbline/pkg/version"
)

// Exit codes shared by every binary.
const (
	ExitPass     = 0
	ExitFindings = 1
	ExitBroken   = 2
)

// Request is what a check is asked to do once flags are parsed.
type Request struct {
	Paths []string // never empty: "." (or the check's DefaultPaths) when none were given
	// Defaulted is true when Paths came from no argument and no config:
	// a check that finds nothing there returns Skipf, not an error.
	Defaulted bool
	// Config is the repository's .plumbline.yaml (or --config), nil when
	// there is none; its settings are already the flags' values.
	Config *config.Config
	// Terminal is stderr itself when a person watches it, for a status
	// line redrawn in place (what is written there must be escaped by the
	// writer); nil otherwise.
	Terminal io.Writer
	FailOn   report.Threshold
	// Secrets collects the credential values the run holds (its
	// environment's, and what a check reads from a credentials file: it
	// adds those); every message, snippet and log line is masked with it.
	Secrets *report.Secrets
	// Refused are what a Verdict command's contract refused before the
	// run (a config that is not the one fetched): its check puts each in
	// its report, as a finding, before it tells anyone.
	Refused []error
	// Progress receives progress lines for people (stderr), never results.
	Progress io.Writer
}

// Check is the part of a binary that differs from the others.
type Check interface {
	// Flags registers the check's own flags next to the contract's.
	Flags(fs *flag.FlagSet)
	// Run does the work. A non-nil error means the check could not do all
	// of it (exit 2); if a report comes with the error, it is still written
	// so that nothing already found is lost.
	Run(ctx context.Context, req Request) (*report.Report, error)
}

// Command describes one binary.
type Command struct {
	Name     string // as the user types it, e.g. "report"
	Synopsis string // positional arguments, e.g. "[PATH ...]"
	Summary  string // one sentence for --help
	Check    Check
	// Subcommands are reached by name as the first argument
	// ("policy-check verify"); each follows the same contract.
	Subcommands []Command
	// InDir: the one PATH is the repository, and Main runs the check in
	// it, config and all (plumbline check DIR).
	InDir bool
	// Verdict: the command gives the run's verdict (report). Its config is
	// read only from --config, never found in its working directory (the
	// reports directory, which steps running the repository's code can
	// write to), and a config it refuses does not stop it: it runs without
	// it and gets the refusal in Request.Refused, so the failure still
	// reaches the forge.
	Verdict bool
	// GCPercent, when not 0, is the garbage collector's GOGC for the
	// binary's process (Execute sets it unless GOGC is set): a check whose
	// garbage dwarfs its live heap trades some memory for time (above
	// 100), one whose live heap is most of its memory the reverse.
	GCPercent int
}

// FileName is the command's name as a report file name: subcommands
// join with a dash ("policy-check-verify").
func (c Command) FileName() string { return strings.ReplaceAll(c.Name, " ", "-") }

// Env is the process's outside world, so Main can be driven by tests.
type Env struct {
	Stdout, Stderr io.Writer
	// Color allows ANSI colour on stdout (a terminal, and NO_COLOR unset).
	Color bool
	// Terminal: stderr is a terminal.
	Terminal bool
	// Environ is the process environment (os.Environ): the values of its
	// credentials (report.IsSecretName) are masked in everything written.
	Environ []string
}

// OSEnv is the real process environment.
func OSEnv() Env {
	color := false
	if fi, err := os.Stdout.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		color = os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	}
	fi, err := os.Stderr.Stat()
	terminal := err == nil && fi.Mode()&os.ModeCharDevice != 0
	return Env{Stdout: os.Stdout, Stderr: os.Stderr, Color: color, Terminal: terminal, Environ: os.Environ()}
}

type options struct {
	format     string
	reports    reportSpecs
	failOn     string
	resultsDir string
	results    resultFiles
	reportDir  string
	runID      string
	config     string
	configSum  string
	chdir      string
	version    bool
}

// Main runs cmd with args (without the program name) and returns the exit code.
func Main(ctx context.Context, cmd Command, args []string, env Env) int {
	if len(args) > 0 {
		for _, sub := range cmd.Subcommands {
			if args[0] == sub.Name {
				sub.Name = cmd.Name + " " + sub.Name
				return Main(ctx, sub, args[1:], env)
			}
		}
	}
	started := time.Now()
	fs := flag.NewFlagSet(cmd.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o options
	formats := strings.Join(report.Formats(), ", ")
	fs.StringVar(&o.format, "format", "text", "write `FORMAT` to stdout: "+formats)
	fs.Var(&o.reports, "report", "also write `FORMAT=FILE` (repeatable)")
	fs.StringVar(&o.failOn, "fail-on", "error", "exit 1 on findings at or above `LEVEL`: error, warning or never")
	fs.StringVar(&o.reportDir, "report-dir", "", "also write the JSON report to `DIR`/<tool>.json; empty means none (for optional Tekton workspaces)")
	fs.StringVar(&o.resultsDir, "results-dir", "", "write Tekton results (errors, warnings, status, summary) into `DIR`")
	fs.Var(&o.results, "result", "write the Tekton result `NAME=FILE` (repeatable; a StepAction's $(step.results.NAME.path)); "+results.ReportDigest+" is the sha256 of the --report-dir report")
	fs.StringVar(&o.runID, "run-id", "", "stamp the report with this run `ID`; report --expect-run-id refuses reports without it (pipelines pass the PipelineRun's uid)")
	fs.StringVar(&o.config, "config", "", "read settings from `FILE` (default: "+config.FileName+" in the working directory, when there is one); a flag given wins, and an empty flag value counts as not given")
	fs.StringVar(&o.configSum, "config-sha256", "", "refuse the config unless its sha256 is `HEX` (\""+config.NoFile+"\": there must be none), as the fetch step recorded it before any of the repository's code ran")
	fs.StringVar(&o.chdir, "chdir", "", "switch to `DIR` before anything else, as terraform -chdir: every other path is relative to it (a StepAction's way to a working directory Tekton does not create as another user)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	cmd.Check.Flags(fs)

	secrets := &report.Secrets{}
	for _, kv := range env.Environ {
		if k, v, ok := strings.Cut(kv, "="); ok && report.IsSecretName(k) {
			secrets.Add(v)
		}
	}
	fail := func(format string, a ...any) int {
		// Errors quote names from the checked repository: escapes and
		// newlines in them are shown, never obeyed by the log.
		fmt.Fprintf(env.Stderr, "%s: %s\n", cmd.Name, report.Printable(secrets.Mask(fmt.Sprintf(format, a...))))
		return ExitBroken
	}
	paths, err := parse(fs, dropEmpty(fs, args))
	if errors.Is(err, flag.ErrHelp) {
		usage(env.Stdout, cmd, fs)
		return ExitPass
	}
	if err != nil {
		return fail("%v (see %s --help)", &UsageError{err}, cmd.Name)
	}
	if o.version {
		fmt.Fprintf(env.Stdout, "%s %s\n", cmd.Name, version.String())
		return ExitPass
	}
	if o.chdir != "" {
		back, err := os.Getwd()
		if err == nil {
			err = os.Chdir(o.chdir)
		}
		if err != nil {
			return fail("%v", Usagef("--chdir: %w", err))
		}
		defer os.Chdir(back)
	}
	if cmd.InDir && len(paths) == 0 && o.config == "" {
		// Run from inside a repository, the repository is where its
		// config is, as git finds .git; its paths stay relative to it.
		root, err := config.FindUp(".")
		if err != nil {
			return fail("%v", Usagef("find %s: %w", config.FileName, err))
		}
		if root != "" {
			paths = []string{root}
		}
	}
	if cmd.InDir && len(paths) == 1 {
		// The repository is the working directory of every check, as in a
		// pipeline, so findings name the same files; what the user named
		// relative to where they are stays where they meant.
		for _, p := range []*string{&o.config, &o.reportDir, &o.resultsDir} {
			*p = absolute(*p)
		}
		for i := range o.reports {
			o.reports[i].file = absolute(o.reports[i].file)
		}
		for name, file := range o.results {
			o.results[name] = absolute(file)
		}
		back, err := os.Getwd()
		if err == nil {
			err = os.Chdir(paths[0])
		}
		if err != nil {
			return fail("%v", Usagef("%w", err))
		}
		defer os.Chdir(back)
		paths = []string{"."}
	}
	// A bad config is the run's error, and still a report (at the line
	// that is wrong); the flags that say where reports go are read already.
	cfg, runErr := loadConfig(o.config, o.configSum, !cmd.Verdict)
	var refused []error
	if runErr != nil && cmd.Verdict {
		refused, runErr = append(refused, runErr), nil
	}
	var st *setup
	if runErr == nil {
		if st, runErr = prepare(fs, cmd, cfg, paths); runErr == nil {
			paths = st.paths
		}
	}
	failOn, err := report.ParseThreshold(o.failOn)
	if err != nil {
		return fail("%v", Usagef("--fail-on: %w", err))
	}
	if f, ok := cmd.Check.(Floorer); ok && runErr == nil {
		floor, err := f.Floor(cfg)
		failOn = max(failOn, floor)
		switch {
		case err != nil && cmd.Verdict:
			refused = append(refused, err)
		case err != nil:
			runErr = err
		}
	}
	stdout, err := report.NewWriter(o.format, report.Options{Color: env.Color})
	if err != nil {
		return fail("%v", Usagef("--format: %w", err))
	}
	if _, ok := o.results[results.ReportDigest]; ok && o.reportDir == "" {
		return fail("%v", Usagef("--result %s needs --report-dir: it is the digest of that report", results.ReportDigest))
	}
	digestOf := -1 // o.reports[digestOf] is the --report-dir report
	if o.reportDir != "" {
		digestOf = len(o.reports)
		o.reports = append(o.reports, reportSpec{format: "json", file: filepath.Join(o.reportDir, cmd.FileName()+".json")})
	}

	var r *report.Report
	if runErr == nil {
		req := Request{FailOn: failOn, Progress: printableLines{env.Stderr, secrets}, Refused: refused, Secrets: secrets}
		if env.Terminal {
			req.Terminal = env.Stderr
		}
		r, runErr = st.run(ctx, cmd, req)
	}
	r, runErr = finished(r, runErr, cmd, o.runID, failOn, paths)
	if !cmd.Verdict {
		// How long the check ran, for the metrics: a verdict's own run
		// is not a check's, and merging a merged report again must change
		// nothing.
		r.Seconds = math.Round(time.Since(started).Seconds()*100) / 100
	}
	secrets.MaskReport(r)

	code := ExitPass
	if !r.Summary.Passed {
		code = ExitFindings
	}
	if err := stdout.Write(env.Stdout, r); err != nil {
		code = fail("write %s to stdout: %v", o.format, err)
	}
	extra := map[string]string{}
	for i, spec := range o.reports {
		digest, err := writeFile(spec, r)
		if err != nil {
			code = fail("%v", err)
		} else if i == digestOf {
			extra[results.ReportDigest] = digest
		}
	}
	if o.resultsDir != "" {
		if err := results.Write(o.resultsDir, r); err != nil {
			code = fail("%v", err)
		}
	}
	if len(o.results) > 0 {
		if err := results.WriteFiles(o.results, r, extra); err != nil {
			code = fail("%v", err)
		}
	}
	if runErr != nil {
		code = ExitBroken
		for _, err := range Flatten(runErr) {
			fail("%v", err)
		}
	}
	return code
}

// finished is the report of cmd's run, whatever happened: a check that
// stopped before it had a report (a bad flag value, a tool that is
// missing) still leaves one, whose error finding says why, so a pipeline
// shows "broken, because", never "did not run". It is stamped and
// Finished at failOn.
func finished(r *report.Report, err error, cmd Command, runID string, failOn report.Threshold, paths []string) (*report.Report, error) {
	if r == nil {
		if err == nil {
			err = errors.New("no report produced")
		}
		r = &report.Report{}
	}
	if r.Tool == "" {
		r.Tool = cmd.FileName()
	}
	if r.Version == "" {
		r.Version = version.String()
	}
	r.Run = runID
	if !Finish(r, err, failOn, paths) && err == nil {
		err = fmt.Errorf("more than %d findings: over the budget of one report", report.MaxFindings)
	}
	return r, err
}

// Finish makes r the report of a run that ended with runErr: a check that
// could not finish never says PASS, since each reason it gave becomes an
// error finding (so the report a pipeline reads fails too); the findings
// are made relative to the scanned roots (paths), kept within budget,
// then counted. It returns false when findings were left out for the
// budget: the run did not say all it found.
func Finish(r *report.Report, runErr error, failOn report.Threshold, paths []string) bool {
	for _, err := range Flatten(runErr) {
		if !errors.As(err, new(reportedError)) {
			r.Findings = append(r.Findings, incompleteFinding(r.Tool, err))
		}
	}
	relativize(r.Findings, paths)
	for i := range r.Findings {
		r.Findings[i].Bound()
	}
	report.BoundDiffs(r.Findings)
	complete := budgetFindings(r)
	r.Finalize(failOn)
	return complete
}

// relativize makes a finding's absolute file relative to the scanned root
// it is under (a PATH argument outside the working directory), else to the
// working directory: a report holds relative paths only, and report would
// refuse one that does not.
func relativize(fs []report.Finding, paths []string) {
	cwd, _ := os.Getwd()
	var roots []string // made on the first absolute file, once
	for i := range fs {
		f := filepath.FromSlash(fs[i].File)
		if !filepath.IsAbs(f) {
			continue
		}
		if roots == nil {
			roots = make([]string, 0, len(paths))
			for _, p := range paths {
				root, err := filepath.Abs(p)
				if err != nil {
					continue
				}
				if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
					root = filepath.Dir(root)
				}
				roots = append(roots, root)
			}
		}
		rel := ""
		for _, root := range roots {
			if tree.Within(root, f) {
				rel, _ = filepath.Rel(root, f)
				break
			}
		}
		if rel == "" && cwd != "" {
			rel, _ = filepath.Rel(cwd, f)
		}
		if rel != "" {
			fs[i].File = filepath.ToSlash(rel)
		}
	}
}

// RuleIncomplete is the rule id, under each tool's prefix, of a run that
// could not do all its work (a timeout, a budget, a broken tool).
const RuleIncomplete = "incomplete"

// incompleteFinding is the error finding that says why a check could not
// finish; an input error keeps its file (made relative by relativize),
// line and column.
func incompleteFinding(tool string, err error) report.Finding {
	f := report.Finding{Rule: tool + "/" + RuleIncomplete, Severity: report.Error,
		Message: "the check could not finish: " + report.Truncate(err.Error(), 2000)}
	var ie *report.InputError
	if errors.As(err, &ie) {
		f.File, f.Line, f.Column = filepath.ToSlash(ie.File), ie.Line, ie.Column
	}
	return f
}

// UsageError is a flag, argument or configuration the check cannot run
// with: the user's to fix, not the input's. Main exits 2 with it, as with
// any error that stops a check.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return "usage: " + e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a *UsageError; %w wraps as in fmt.Errorf.
func Usagef(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// Reported marks an error the check has already put in its report as a
// finding of its own: Main still prints it and exits 2, but adds no
// incomplete finding for it.
func Reported(err error) error { return reportedError{err} }

type reportedError struct{ error }

func (e reportedError) Unwrap() error { return e.error }

// budgetFindings keeps at most report.MaxFindings findings, the most
// severe first, and says with an error finding how many it dropped: a
// report nobody can read (or that exhausts report's memory) is no report.
// It returns false when it dropped any.
func budgetFindings(r *report.Report) bool {
	// A merged report holds each check's findings, each within budget.
	if len(r.Findings) <= report.MaxFindings || len(r.Checks) > 0 {
		return true
	}
	slices.SortStableFunc(r.Findings, func(a, b report.Finding) int { return cmp.Compare(b.Severity, a.Severity) })
	dropped := len(r.Findings) - (report.MaxFindings - 1)
	r.Findings = append(r.Findings[:report.MaxFindings-1], report.Finding{
		Rule: r.Tool + "/" + RuleIncomplete, Severity: report.Error,
		Message: fmt.Sprintf("%d more findings not listed: a report holds at most %d (docs/security.md)", dropped, report.MaxFindings),
	})
	return false
}

// printableLines passes progress lines on with the control characters of
// each line (directory names from the repository among them) escaped.
type printableLines struct {
	w       io.Writer
	secrets *report.Secrets
}

func (p printableLines) Write(b []byte) (int, error) {
	lines := strings.SplitAfter(string(b), "\n")
	for i, l := range lines {
		body, nl := strings.CutSuffix(l, "\n")
		lines[i] = report.Printable(p.secrets.Mask(body))
		if nl {
			lines[i] += "\n"
		}
	}
	if _, err := io.WriteString(p.w, strings.Join(lines, "")); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Flatten splits joined errors (errors.Join, at any depth) so each
// problem gets its own line, or its own finding.
func Flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, Flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// parse accepts flags before, between and after paths, as users expect;
// everything after "--" is a path.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return paths, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(paths, rest...), nil
		}
		paths = append(paths, rest[0])
		args = rest[1:]
	}
}

func usage(w io.Writer, cmd Command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: %s [flags] %s\n\n%s\n", cmd.Name, cmd.Synopsis, cmd.Summary)
	if len(cmd.Subcommands) > 0 {
		fmt.Fprintf(w, "\ncommands:\n")
		for _, sub := range cmd.Subcommands {
			fmt.Fprintf(w, "  %s %s %s\n      %s\n", cmd.Name, sub.Name, sub.Synopsis, sub.Summary)
		}
	}
	fmt.Fprintf(w, "\nflags:\n")
	fs.VisitAll(func(f *flag.Flag) {
		arg, text := flag.UnquoteUsage(f)
		if arg != "" {
			arg = " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" {
			text += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintf(w, "  --%s%s\n      %s\n", f.Name, arg, text)
	})
	fmt.Fprintf(w, "\nexit status: 0 pass, 1 findings at or above --fail-on, 2 usage, configuration or tool failure\n")
}

// writeFile writes through a temporary file and a rename, so a failed write
// never leaves a truncated report where a good one was.
// writeFile writes r to spec's file, whole or not at all, and returns the
// sha256 (hex) of what it wrote.
func writeFile(spec reportSpec, r *report.Report) (string, error) {
	w, err := report.NewWriter(spec.format, report.Options{})
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(spec.file), 0o755); err != nil {
		return "", fmt.Errorf("write %s: %w", spec.file, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(spec.file), ".plumbline-*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", spec.file, err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	if err := w.Write(io.MultiWriter(tmp, h), r); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write %s: %w", spec.file, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", spec.file, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", spec.file, err)
	}
	if err := os.Rename(tmp.Name(), spec.file); err != nil {
		return "", fmt.Errorf("write %s: %w", spec.file, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Execute runs cmd with the process's arguments and environment, cancelling
// on SIGINT and SIGTERM, and returns the exit code for main to os.Exit with.
// An image whose binary serves more than one check names the others in
// more: the first argument naming one of them runs it instead.
func Execute(cmd Command, more ...Command) int {
	// A copy of this binary started to run an isolated function (a Helm
	// chart's templates) does only that.
	if code, ok := proc.Serve(); ok {
		return code
	}
	LimitMemory()
	// An image's binary is the one process of its step: what the tools it
	// runs leave behind is killed, and its environment is closed to them.
	if err := proc.Contain(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: note: %v (tools it runs can read its environment, and what they detach outlives them)\n", cmd.Name, err)
	}
	if cmd.GCPercent != 0 && os.Getenv("GOGC") == "" {
		debug.SetGCPercent(cmd.GCPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	args := os.Args[1:]
	for _, m := range more {
		if len(args) > 0 && args[0] == m.Name {
			cmd, args = m, args[1:]
			break
		}
	}
	return Main(ctx, cmd, args, OSEnv())
}

package ansiblelint

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plumbline/plumbline/internal/scratch"
	"github.com/plumbline/plumbline/pkg/change"
	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/report"
)

// Tool is the check's name in reports.
const Tool = "ansible-lint-check"

// Check is ansible-lint-check; it implements cli.Check.
type Check struct {
	// NewLinter makes the ansible-lint driver; nil means the real one.
	NewLinter func(bin string) Linter

	bin        string
	offline    bool
	profile    string
	config     string
	skip, warn cli.List
	timeout    time.Duration
	trustRules bool
	changes    change.Flags
}

var _ cli.Check = (*Check)(nil)

func (c *Check) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.bin, "ansible-lint-bin", "", "ansible-lint `BINARY` (default: ansible-lint on PATH)")
	fs.BoolVar(&c.offline, "offline", true, "pass --offline: never install requirements or reach Galaxy")
	fs.StringVar(&c.profile, "profile", "", "ansible-lint `PROFILE` (min, basic, moderate, safety, shared, production)")
	fs.StringVar(&c.config, "ansible-lint-config", "", "ansible-lint config `FILE` (default: .ansible-lint in the project)")
	fs.Var(&c.skip, "skip", "rule `IDS` to skip (comma-separated, repeatable)")
	fs.Var(&c.warn, "warn", "rule `IDS` to report as warnings (comma-separated, repeatable)")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Minute, "time limit for ansible-lint on one path")
	c.changes.Register(fs, "ansible-lint gets only the playbooks, roles and files it touches, and what uses them (a role's playbooks, a file's importers); one to ansible.cfg, the ansible-lint config, an inventory or requirements lints everything")
	fs.BoolVar(&c.trustRules, "trust-rulesdir", false, "load the custom rules (Python) the ansible-lint config's rulesdir names; off by default, as the repository being checked wrote them")
}

// DefaultPaths is the repository's layout: ansible/ (cli.Defaulter).
func (c *Check) DefaultPaths() []string { return []string{"ansible"} }

func (c *Check) Run(ctx context.Context, req cli.Request) (*report.Report, error) {
	progress := req.Progress
	if progress == nil {
		progress = io.Discard
	}
	if c.config != "" && !fileExists(c.config) {
		return nil, cli.Usagef("--ansible-lint-config %s: no such file", c.config)
	}
	bin, err := FindBinary(c.bin)
	if err != nil {
		return nil, err
	}
	linter := Linter(&Exec{Bin: bin})
	if c.NewLinter != nil {
		linter = c.NewLinter(bin)
	}

	set, err := c.changes.Load()
	if err != nil {
		return nil, cli.Usagef("--changes: %w", err)
	}
	r := &report.Report{Tool: Tool, Details: map[string]string{}}
	var projects []*project
	var budgetErrs []error
	var left []string
	for _, p := range req.Paths {
		pr, err := preflight(p, os.Getenv)
		if err != nil {
			return nil, err
		}
		if len(pr.yamlFiles) == 0 && len(pr.inventory) == 0 {
			if req.Defaulted {
				return nil, cli.Skipf("no Ansible files (playbooks, roles, inventories) under %s", p)
			}
			return nil, fmt.Errorf("no Ansible files (playbooks, roles, inventories) under %s; check the path", p)
		}
		// A refused project (a symlink out of the tree) is not narrowed:
		// its findings say why ansible-lint did not run, touched or not.
		if set != nil && !pr.refused {
			lintCfg := c.config
			if lintCfg == "" {
				lintCfg = lintConfigFile(pr.root)
			}
			if pr.scope = pr.narrow(set, lintCfg); pr.scope != nil {
				pr.findings = slices.DeleteFunc(pr.findings, func(f report.Finding) bool { return !pr.scope.keeps(f) })
				maps.DeleteFunc(pr.overBudget, func(f string, _ error) bool { return !pr.scope.has(f) })
				if len(pr.scope.lint) == 0 {
					left = append(left, relPath(pr.root))
					continue
				}
			}
		}
		projects = append(projects, pr)
		r.Findings = append(r.Findings, pr.findings...)
		for _, f := range slices.Sorted(maps.Keys(pr.overBudget)) {
			budgetErrs = append(budgetErrs, cli.Reported(pr.overBudget[f]))
		}
		r.Summary.Files += pr.files
	}
	if len(projects) == 0 {
		return nil, cli.Skipf("the change touches no playbook, role or Ansible file under %s, nor one they use", strings.Join(left, ", "))
	}
	if len(left) > 0 {
		r.Details["unchanged"] = "Ansible projects the change does not touch: " + strings.Join(left, ", ")
	}
	var narrowed []string
	for _, pr := range projects {
		if pr.scope != nil {
			narrowed = append(narrowed, report.Truncate(relPath(pr.root)+": "+strings.Join(pr.scope.lint, ", "), 500))
		}
	}
	if len(narrowed) > 0 {
		r.Details["narrowed"] = strings.Join(narrowed, "; ")
	}

	// A linter whose runs say the versions is asked only when none did;
	// another is asked while ansible-lint runs (it keeps one core busy,
	// and the question would otherwise add to the wall time).
	sayer, says := linter.(interface{ SaysVersions() bool })
	says = says && sayer.SaysVersions()
	asked := make(chan versions, 1)
	if !says {
		go func() {
			var v versions
			v.lint, v.core, v.err = linter.Versions(ctx)
			asked <- v
		}()
	}
	var said versions

	tmp, err := os.MkdirTemp("", "ansible-lint-check-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(tmp)
	env, err := c.environment(tmp)
	if err != nil {
		return r, err
	}
	errs := budgetErrs
	for _, pr := range projects {
		if pr.refused {
			// The preflight's findings say why; the report says the
			// main work was not done, so nobody reads it as ran.
			setIncomplete(r, "ansible-lint was not run on "+relPath(pr.root)+": the preflight refused a file in it (its findings say which)")
			continue
		}
		file := c.config
		if file == "" {
			file = lintConfigFile(pr.root)
		}
		var dropped []string
		if pr.config, dropped, err = safeLintConfig(file, tmp, c.trustRules, pr.mocks); err != nil {
			errs = append(errs, err)
			continue
		}
		if len(dropped) > 0 {
			r.Findings = append(r.Findings, report.Finding{Rule: RuleRulesdirIgnored, Severity: report.Note, File: relPath(file),
				Help: helpBase + "hostile-input", Message: fmt.Sprintf("custom rules in %s not loaded: they are Python from the repository being checked (--trust-rulesdir loads them)", strings.Join(dropped, ", "))})
		}
		start := time.Now()
		fs, v, err := c.lint(ctx, linter, pr, env)
		if said.lint == "" {
			said = v
		}
		r.Findings = append(r.Findings, fs...)
		if err != nil {
			errs = append(errs, err)
		}
		fmt.Fprintf(progress, "%s: %s: %d findings (%.1fs)\n", Tool, pr.root, len(fs), time.Since(start).Seconds())
	}
	v := said
	switch {
	case !says:
		v = <-asked // buffered: an early return above leaks nothing
	case v.lint == "":
		v.lint, v.core, v.err = linter.Versions(ctx)
	}
	if v.err != nil {
		errs = append(errs, v.err)
	} else {
		r.Details["ansible-lint"], r.Details["ansible-core"] = v.lint, v.core
	}
	return r, errors.Join(errs...)
}

// versions are ansible-lint's and ansible-core's, for the report.
type versions struct {
	lint, core string
	err        error
}

// lint runs ansible-lint on one project, and returns the versions the run
// said (Result). ansible-lint lints only files below its working
// directory, so it runs in the project directory.
func (c *Check) lint(ctx context.Context, linter Linter, pr *project, env []string) ([]report.Finding, versions, error) {
	var v versions
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	args := []string{"-f", "codeclimate", "-q", "--nocolor"}
	if c.offline {
		args = append(args, "--offline")
	}
	if c.profile != "" {
		args = append(args, "--profile", c.profile)
	}
	if pr.config != "" {
		cfg, err := filepath.Abs(pr.config)
		if err != nil {
			return nil, v, err
		}
		args = append(args, "-c", cfg)
	}
	for _, s := range c.skip {
		args = append(args, "-x", s)
	}
	for _, w := range c.warn {
		args = append(args, "-w", w)
	}
	// One file ansible-lint cannot load makes it report load-failure and
	// lint nothing else; the preflight has reported those files with their
	// line, so ansible-lint lints the rest.
	for _, b := range append(pr.broken, pr.vendored...) {
		if rel, err := filepath.Rel(pr.root, b); err == nil {
			args = append(args, "--exclude", rel)
		}
	}
	// A pull request's change: only what it touches, after "--" so that
	// a file named like a flag stays a file.
	if pr.scope != nil {
		args = append(append(args, "--"), pr.scope.lint...)
	}
	res, err := linter.Lint(ctx, Job{Dir: pr.root, Args: args, Env: env, Playbooks: pr.playbooks()})
	v.lint, v.core = res.Lint, res.Core
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return nil, v, fmt.Errorf("%s: ansible-lint timed out after %s (--timeout)", pr.root, c.timeout)
	case err != nil:
		return nil, v, fmt.Errorf("%s: run ansible-lint: %w", pr.root, err)
	}
	switch res.Code {
	case rcSuccess, rcViolations:
	case rcInvalidConfig:
		return nil, v, fmt.Errorf("%s: ansible-lint rejected its configuration (exit %d): %s", pr.root, res.Code, summarize(res.Stderr))
	case rcLockTimeout:
		return nil, v, fmt.Errorf("%s: ansible-lint could not take its cache lock (exit %d): %s", pr.root, res.Code, summarize(res.Stderr))
	default:
		return nil, v, fmt.Errorf("%s: ansible-lint failed (exit %d): %s", pr.root, res.Code, summarize(res.Stderr))
	}
	fs, err := findings(res.Stdout, relPath(pr.root))
	if err != nil {
		return nil, v, fmt.Errorf("%s: %w", pr.root, err)
	}
	fs = explainSyntax(ctx, linter, pr, env, fs)
	// Given a playbook, ansible-lint also lints some of what it finds
	// beside it: a narrowed run reports what the whole run reports on
	// what the change touches, no more.
	fs = slices.DeleteFunc(fs, func(f report.Finding) bool { return !pr.scope.keeps(f) })
	return replaceUnresolved(fs, pr.missing, pr.lacking), v, nil
}

// explainSyntax replaces ansible-lint 6's "Unexpected error code 4 from
// execution of: ansible-playbook ... --syntax-check X", which says nothing
// of what is wrong or where, with what ansible-playbook's syntax check
// says, at the file and line it names: a module it cannot resolve (a
// collection not installed), a bad task. Left as it was when the check
// says nothing readable.
func explainSyntax(ctx context.Context, linter Linter, pr *project, env []string, fs []report.Finding) []report.Finding {
	for i, f := range fs {
		m := syntaxCode.FindStringSubmatch(f.Message)
		if f.Rule != "ansible-lint/internal-error" || m == nil || filepath.IsAbs(m[1]) || strings.HasPrefix(filepath.Clean(m[1]), "..") {
			continue
		}
		res, err := linter.SyntaxCheck(ctx, pr.root, m[1], env)
		if err != nil || res.Code == 0 {
			continue
		}
		e := syntaxError.FindSubmatch(res.Stderr)
		if e == nil {
			continue
		}
		g := report.Finding{Rule: "ansible-lint/syntax-check", Severity: f.Severity, File: f.File, Line: f.Line, Help: f.Help,
			Message: "the syntax check fails: " + report.Truncate(strings.TrimSpace(string(e[1])), report.MaxMessage-40)}
		root, _ := filepath.Abs(pr.root)
		if at := syntaxAt.FindSubmatch(res.Stderr); at != nil {
			if rel, err := filepath.Rel(root, string(at[1])); err == nil && !strings.HasPrefix(rel, "..") {
				g.File = relPath(filepath.Join(pr.root, rel))
				g.Line, _ = strconv.Atoi(string(at[2]))
				g.Column, _ = strconv.Atoi(string(at[3]))
			}
		}
		fs[i] = g
	}
	return fs
}

var (
	syntaxCode  = regexp.MustCompile(`^Unexpected error code \d+ from execution of: ansible-playbook .*--syntax-check (\S+)`)
	syntaxError = regexp.MustCompile(`(?m)^ERROR! (.*)$`)
	syntaxAt    = regexp.MustCompile(`The error appears to be in '([^']+)': line (\d+), column (\d+)`)
)

// passed says which of the caller's variables ansible-lint sees.
func passed(k string) bool {
	switch k {
	case "PATH", "HOME", "USER", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "TERM",
		"PYTHONPATH", "VIRTUAL_ENV", "SSL_CERT_FILE", "SSL_CERT_DIR":
		return true
	}
	return strings.HasPrefix(k, "ANSIBLE_") || strings.HasPrefix(k, "XDG_")
}

// replaceUnresolved rewrites ansible-lint's "couldn't resolve
// module/action" for a module of a collection the preflight found missing:
// it keeps ansible-lint's place in the playbook, and says which collection
// is missing, as the preflight's finding at requirements.yml does.
//
// A module its installed collection lacks (an older version, lacking[module]
// names it) is said the same way: the syntax check stops there.
func replaceUnresolved(fs []report.Finding, missing []string, lacking map[string]string) []report.Finding {
	if len(missing) == 0 && len(lacking) == 0 {
		return fs
	}
	for i, f := range fs {
		if !strings.HasPrefix(f.Rule, "ansible-lint/syntax-check") {
			continue
		}
		m := unresolved.FindStringSubmatch(f.Message)
		if m == nil {
			continue
		}
		if have, ok := lacking[m[1]]; ok {
			c := collectionOf(m[1])
			fs[i].Rule, fs[i].Help = RuleCollectionMissing, helpBase+"collection-missing"
			fs[i].Message = fmt.Sprintf("%s is not a module of %s as installed here (a later version has it?): ansible's syntax check stops at it, and this playbook is not linted further. %s",
				m[1], have, installAdvice(c, ""))
			continue
		}
		for _, c := range missing {
			if strings.HasPrefix(m[1], c+".") {
				fs[i].Rule, fs[i].Help = RuleCollectionMissing, helpBase+"collection-missing"
				fs[i].Message = fmt.Sprintf("%s is a module of collection %s, which is not installed (see requirements.yml)", m[1], c)
				break
			}
		}
	}
	return fs
}

var unresolved = regexp.MustCompile(`couldn't resolve module/action '([^']+)'`)

// environment is ansible-lint's whole environment: of the caller's, only
// what Python and Ansible need (ansible-lint loads plugins from the
// repository, so nothing else of the pod's environment is there to be
// read), without colour, with the cache under tmp, and with HOME,
// ANSIBLE_HOME and ANSIBLE_LOCAL_TEMP moved under tmp when they are not
// writable (an arbitrary UID in a pod).
func (c *Check) environment(tmp string) ([]string, error) {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if passed(k) {
			env[k] = v
		}
	}
	env["NO_COLOR"], env["ANSIBLE_NOCOLOR"], env["PY_COLORS"] = "1", "1", "0"
	// A vault_password_file (or vault_identity_list) in the repository's
	// ansible.cfg may name a script, which Ansible runs to get the
	// password: the repository's code (issue 30). The environment wins
	// over ansible.cfg: a file of our own, which is no script, and no
	// identities. Vaulted content then does not decrypt, as in any CI
	// that does not hold the password.
	vault := filepath.Join(tmp, "vault-password")
	if err := os.WriteFile(vault, []byte("plumbline-lints-without-the-vault-password\n"), 0o600); err != nil {
		return nil, err
	}
	env["ANSIBLE_VAULT_PASSWORD_FILE"], env["ANSIBLE_VAULT_IDENTITY_LIST"] = vault, ""
	place := func(key, sub string) error {
		if v := env[key]; v != "" && scratch.Writable(v) {
			return nil
		}
		dir := filepath.Join(tmp, sub)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		env[key] = dir
		return nil
	}
	if !scratch.Writable(env["HOME"]) {
		if err := place("HOME", "home"); err != nil {
			return nil, err
		}
	}
	home := env["HOME"]
	// ansible-lint's cache is always this run's own: the modules it mocks
	// (mock_modules) are written there as a collection, which a later
	// run of the same project would find and take for the installed one.
	if err := os.MkdirAll(filepath.Join(tmp, "cache"), 0o700); err != nil {
		return nil, err
	}
	env["XDG_CACHE_HOME"] = filepath.Join(tmp, "cache")
	for _, d := range []struct{ key, def, sub string }{
		{"ANSIBLE_HOME", filepath.Join(home, ".ansible"), "ansible"},
		{"ANSIBLE_LOCAL_TEMP", filepath.Join(home, ".ansible", "tmp"), "ansible-tmp"},
	} {
		if env[d.key] == "" {
			if scratch.Creatable(d.def) {
				continue
			}
		}
		if err := place(d.key, d.sub); err != nil {
			return nil, err
		}
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out, nil
}

// Command is the ansible-lint-check binary: its image's main, and plumbline check.
func Command() cli.Command {
	return cli.Command{Name: Tool, Synopsis: "[PATH ...]", Summary: "Lint the Ansible project at each PATH (default ansible/) with ansible-lint, after a preflight of YAML, requirements and inventories.", Check: &Check{}}
}

// setIncomplete records why (a part of) the check's main work was not
// done, keeping earlier reasons.
func setIncomplete(r *report.Report, why string) {
	if r.Details == nil {
		r.Details = map[string]string{}
	}
	if old := r.Details[report.DetailIncomplete]; old != "" {
		why = old + "; " + why
	}
	r.Details[report.DetailIncomplete] = report.Truncate(why, report.MaxMessage)
}

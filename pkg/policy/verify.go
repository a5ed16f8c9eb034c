package policy

import (
	"context"
	"flag"
	"fmt"
	"path"
	"time"

	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/report"
)

// Rule ids of verify's findings.
const (
	RuleTestFailed = "policy/test-failed"
	RuleTestError  = "policy/test-error"
	RuleNoTests    = "policy/no-tests"
)

// Verify is `policy-check verify`: it runs the policies' Rego unit tests
// (test_ rules), like `conftest verify`. Paths are policy directories,
// added to --policy.
type Verify struct {
	check      Check
	run        string
	namespaces cli.List
}

var _ cli.Check = (*Verify)(nil)

func (v *Verify) Flags(fs *flag.FlagSet) {
	for _, name := range []string{"policy", "p"} {
		fs.Var(&v.check.policies, name, "policy `DIR` or file with tests (repeatable; default ./policy)")
	}
	for _, name := range []string{"data", "d"} {
		fs.Var(&v.check.data, name, "data `FILES` or directories (.json, .yaml) for data.* (repeatable)")
	}
	fs.Var(&v.namespaces, "namespace", "only tests in these namespaces (`GLOBS`, repeatable)")
	fs.StringVar(&v.run, "run", "", "only tests whose name matches this `REGEX`")
	fs.StringVar(&v.check.regoVersion, "rego-version", "v1", "Rego syntax of the policies: v1 or v0")
	fs.DurationVar(&v.check.timeout, "timeout", time.Minute, "time limit for each test")
}

func (v *Verify) Run(ctx context.Context, req cli.Request) (*report.Report, error) {
	// Paths other than the default "." name policy directories.
	if !(len(req.Paths) == 1 && req.Paths[0] == ".") {
		v.check.policies = append(v.check.policies, req.Paths...)
	}
	policies, shown, remove, err := v.check.policyDirs()
	if err != nil {
		return nil, err
	}
	defer remove()
	r := &report.Report{Tool: Tool + "-verify", Findings: []report.Finding{},
		Details: map[string]string{"policies": shown},
		Counts:  map[string]int{"tests": 0, "passed": 0, "failed": 0, "skipped": 0}}
	e, err := Load(Options{Policies: policies, Data: v.check.data, RegoVersion: v.check.regoVersion, Print: req.Progress, LibraryTests: true})
	if err != nil {
		return inputFindings(r, err, RuleRego), err
	}
	r.Summary.Files = len(e.modules)
	runner := tester.NewRunner().SetCompiler(e.compiler).SetStore(inmem.NewFromObject(e.data)).
		SetModules(e.modules).SetRuntime(e.runtime).SetTimeout(v.check.timeout).CapturePrintOutput(true).
		AddCustomBuiltins(conftestTestBuiltins())
	if v.run != "" {
		runner = runner.Filter(v.run)
	}
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		return r, fmt.Errorf("run tests: %w", err)
	}
	for res := range ch {
		if !v.selected(res.Package) {
			continue
		}
		r.Counts["tests"]++
		name := res.Package + "." + res.Name
		f := report.Finding{Severity: report.Error}
		if res.Location != nil {
			f.File, _ = report.RelPath(res.Location.File)
			f.Line = res.Location.Row
		}
		switch {
		case res.Error != nil:
			r.Counts["failed"]++
			f.Rule, f.Message = RuleTestError, fmt.Sprintf("%s: %v", name, res.Error)
		case res.Fail:
			r.Counts["failed"]++
			f.Rule, f.Message = RuleTestFailed, name+" failed"
			if res.FailedAt != nil && res.FailedAt.Location != nil {
				f.Message += fmt.Sprintf(" at line %d: %s", res.FailedAt.Location.Row, res.FailedAt.String())
			}
			if len(res.Output) > 0 {
				f.Snippet = report.Truncate(string(res.Output), 2000)
			}
		case res.Skip:
			r.Counts["skipped"]++
			continue
		default:
			r.Counts["passed"]++
			continue
		}
		r.Findings = append(r.Findings, f)
	}
	if r.Counts["tests"] == 0 {
		r.Findings = append(r.Findings, report.Finding{Rule: RuleNoTests, Severity: report.Warning,
			Message: "no test_ rules found in the policies"})
	}
	return r, nil
}

func (v *Verify) selected(pkg string) bool {
	if len(v.namespaces) == 0 {
		return true
	}
	ns := pkg[len("data."):]
	for _, g := range v.namespaces {
		if ok, _ := path.Match(g, ns); ok {
			return true
		}
	}
	return false
}

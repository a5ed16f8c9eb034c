package policy

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/plumbline/plumbline/pkg/addr"
	"github.com/plumbline/plumbline/pkg/change"
	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/config"
	"github.com/plumbline/plumbline/pkg/delta"
	"github.com/plumbline/plumbline/pkg/helm"
	"github.com/plumbline/plumbline/pkg/kube"
	"github.com/plumbline/plumbline/pkg/kustomize"
	"github.com/plumbline/plumbline/pkg/leak"
	"github.com/plumbline/plumbline/pkg/policy/parser"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tekton"
	"github.com/plumbline/plumbline/pkg/tree"
)

// Tool is the check's name in reports.
const Tool = "policy-check"

// Rule ids of problems that are not a policy's own finding.
const (
	RuleParse         = "policy/parse-error"
	RuleRego          = "policy/rego-error"
	RuleEval          = "policy/eval-error"
	RuleNoRules       = "policy/no-rules"
	RuleWaiverExpired = "policy/waiver-expired"
	RuleWaiverUnused  = "policy/waiver-unused"
	RuleKustomize     = "policy/kustomize-error"
	// RuleKustomizeDeprecated is a note: a kustomization field kustomize
	// deprecates (commonLabels, bases, …), in kustomize's words, at its line.
	RuleKustomizeDeprecated = "policy/kustomize-deprecated"
	// RuleNotRendered is a note: a kustomization offline rendering cannot
	// build (a remote base, a Helm chart) is not checked; details say so.
	RuleNotRendered = "policy/not-rendered"
	// RuleHelm is a chart the repository deploys that does not render
	// (helm template fails: ArgoCD's sync and Flux's install would), and
	// what a render left out.
	RuleHelm = "policy/helm-error"
)

// DefaultWaivers is the waiver file read when it exists.
const DefaultWaivers = ".plumbline-waivers.yaml"

// Check is policy-check; it implements cli.Check.
type Check struct {
	policies, data, namespaces cli.List
	all, combine, strict       bool
	schema, secrets, addresses bool
	tekton                     bool
	release                    releaseFlag
	parserName, ignore         string
	kustomize, helm, cache     string
	baseDir                    string
	rendered                   *kustomize.Result // the head, for the diff
	renderOpt                  kustomize.Options
	kustomizations, repoURLs   cli.List
	chartRepos, production     cli.List
	fetchCharts                bool
	baseConfig, baseConfigSum  string
	baseRevision               string
	plans                      string
	plansOnly                  bool
	regoVersion, waivers       string
	capabilities               string
	memory                     int
	jobs                       int
	timeout                    time.Duration
	changes                    change.Flags

	// Now is the clock waivers expire by; nil means time.Now.
	Now func() time.Time
}

var _ cli.Check = (*Check)(nil)

// releaseFlag is --kubernetes-version, read when the flag is set, so a
// bad value is a usage error at the flag (or the .plumbline.yaml line
// that gave it).
type releaseFlag struct {
	r   *kube.Release
	raw string // as given: Helm's .Capabilities.KubeVersion takes the patch release too
}

var _ flag.Value = (*releaseFlag)(nil)

func (f *releaseFlag) String() string {
	if f == nil || f.r == nil {
		return ""
	}
	return f.r.String()
}

func (f *releaseFlag) Set(s string) error {
	if s == "" {
		f.r, f.raw = nil, ""
		return nil
	}
	r, err := kube.ParseRelease(s)
	if err != nil {
		return err
	}
	f.r, f.raw = &r, s
	return nil
}

func (c *Check) Flags(fs *flag.FlagSet) {
	for _, name := range []string{"policy", "p"} {
		fs.Var(&c.policies, name, "policy `DIR` or file (repeatable; "+BundledRef+" is the bundled homelab library; default ./policy, else the bundled library)")
	}
	for _, name := range []string{"namespace", "n"} {
		fs.Var(&c.namespaces, name, "evaluate these namespaces (`NAMES`, globs allowed, repeatable; default main)")
	}
	for _, name := range []string{"data", "d"} {
		fs.Var(&c.data, name, "data `FILES` or directories (.json, .yaml) for data.* (repeatable)")
	}
	fs.BoolVar(&c.all, "all-namespaces", false, "evaluate every namespace the policies declare")
	fs.BoolVar(&c.combine, "combine", false, "evaluate all inputs as one: input is [{\"path\", \"contents\"}, …]")
	fs.StringVar(&c.parserName, "parser", "", "parse every input with `PARSER` ("+strings.Join(parser.Names(), ", ")+"); default: by file name")
	fs.StringVar(&c.ignore, "ignore", "", "skip input paths matching this `REGEX`")
	fs.StringVar(&c.regoVersion, "rego-version", "v1", "Rego syntax of the policies: v1 or v0")
	fs.BoolVar(&c.strict, "strict", false, "compile policies in OPA's strict mode (unused variables, imports)")
	fs.StringVar(&c.waivers, "waivers", DefaultWaivers, "waiver `FILE` (rule, files, reason, expires); used when it exists")
	fs.IntVar(&c.jobs, "jobs", runtime.NumCPU(), "inputs parsed and evaluated in parallel")
	fs.StringVar(&c.capabilities, "capabilities", "", "OPA capabilities JSON `FILE`: the built-ins policies may call (default: all but "+strings.Join(Denied, ", ")+")")
	fs.IntVar(&c.memory, "max-memory", 384, "stop evaluating when the heap passes this many `MiB` (the Task's limit is 1 GiB)")
	fs.DurationVar(&c.timeout, "timeout", time.Minute, "time limit for evaluating one input (a file, or one document of a multi-document file)")
	fs.BoolVar(&c.schema, "schema", true, "check Kubernetes objects as the API server decodes them (k8s/schema): built-in kinds and the repository's CRDs")
	fs.BoolVar(&c.secrets, "secrets", true, "scan every file for credentials (secret/*: token formats, password-like assignments, Kubernetes Secrets, URLs with a password)")
	fs.BoolVar(&c.addresses, "addresses", true, "check the address plan (address/*): static addresses of Proxmox VMs in Terraform, the inventory's ansible_host and the zones' A/AAAA records claim no address twice")
	fs.BoolVar(&c.tekton, "tekton", true, "check the repository's own Tekton YAML (tekton/*): step images pinned, taskRef/pipelineRef/StepAction refs that exist, params and workspaces as the referenced Task or Pipeline declares them")
	fs.StringVar(&c.kustomize, "kustomize", "auto", "render kustomizations and check what they apply: auto (every entry point: a kustomization no other one uses) or off")
	fs.StringVar(&c.helm, "helm", "auto", "render the Helm charts the repository deploys and check what they apply: auto (ArgoCD Applications' Helm sources, Flux HelmReleases; charts in the repository or the --chart-cache) or off")
	fs.StringVar(&c.baseDir, "base-dir", "", "a checkout of the pull request's base in `DIR`: what the change deploys is reported (k8s/change: every object added, removed or changed, with a diff; k8s/change-deletes, k8s/change-immutable); a DIR that does not exist (a push) is no base")
	fs.StringVar(&c.cache, "chart-cache", "", "`DIR` of packaged charts (helm pull -d DIR/HOST/PATH): where charts of chart repositories and OCI registries are found offline")
	fs.Var(&c.chartRepos, "chart-repo", "with --fetch-charts, a chart repository or OCI registry `URL` the charts the cache lacks may be fetched from (policy.chartRepos; a pull request's are its base branch's; repeatable)")
	fs.BoolVar(&c.fetchCharts, "fetch-charts", false, "fetch the charts the cache lacks from the --chart-repo repositories and no other, keeping them in the --chart-cache when it is writable (trusted runs only: the pipelines pass it for pushes and trusted authors' pull requests)")
	fs.Var(&c.production, "production", "`GLOB`s of the overlays and release files that deploy to production (policy.production; a pull request's are its base branch's; repeatable): a deletion or an immutable change there is an error; default: a path segment prod or production")
	fs.StringVar(&c.baseConfig, "base-config", "", "the base branch's config `FILE`, for a pull request: its policy.chartRepos and policy.production are used, not the pull request's")
	fs.StringVar(&c.baseConfigSum, "base-config-sha256", "", "the sha256 of --base-config, `HEX`, as the fetch step recorded it (\""+config.NoFile+"\": the base branch has none); empty: no base branch (a push)")
	fs.StringVar(&c.baseRevision, "base-revision", "", "the pull request's base `COMMIT`, when --base-config is where no step a pull request's code runs in can write (a Pipeline's fetch Task's workspace: a directory, its .plumbline.yaml absent when the base branch has none); empty, without --base-config-sha256: no base branch (a push)")
	fs.StringVar(&c.plans, "plans", "", "`DIR` of Terraform plans as terraform-plan writes them (MODULE.tfplan.json): each is checked as its root module's plan (the bundled library's homelab.terraform_plan rules), its findings placed at the module; a DIR that is not there is none")
	fs.BoolVar(&c.plansOnly, "plans-only", false, "check only the plans in --plans, none of the repository's files, and skip when there are none: the one-pod Task checks the repository in its first step, before any step runs the repository's code, and the plans with this after terraform-plan")
	fs.Var(&c.repoURLs, "repo-url", "`URL`s this repository is cloned from, besides .git/config's remotes (data.plumbline.repository.urls: which ArgoCD Applications deploy from it; repeatable)")
	fs.Var(&c.release, "kubernetes-version", "the cluster's Kubernetes `VERSION` (1.31, v1.31.4+k3s1): API versions it no longer serves are k8s/api-removed errors, deprecated ones k8s/api-deprecated warnings (default: only what the built-in schema's release serves)")
	c.changes.Register(fs, "policy-check reads the whole repository under its paths (the secret scan every file, the address plan, Tekton references, CRD schemas and the rendered diff all of it), so it is skipped only when the change touches none of its paths, policies, data or waivers")
	fs.Var(&c.kustomizations, "kustomization", "render these kustomization `DIRS` instead of the entry points found (repeatable)")
}

func (c *Check) Run(ctx context.Context, req cli.Request) (*report.Report, error) {
	if c.jobs < 1 {
		return nil, cli.Usagef("--jobs must be at least 1")
	}
	var fixed parser.Parser
	if c.parserName != "" {
		p, err := parser.New(c.parserName)
		if err != nil {
			return nil, cli.Usagef("--parser: %w", err)
		}
		fixed = p
	}
	var ignore *regexp.Regexp
	if c.ignore != "" {
		re, err := regexp.Compile(c.ignore)
		if err != nil {
			return nil, cli.Usagef("--ignore: %w", err)
		}
		ignore = re
	}
	if c.plansOnly {
		if err := c.onlyPlans(); err != nil {
			return nil, err
		}
	}
	set, err := c.changes.Load()
	if err != nil {
		return nil, cli.Usagef("--changes: %w", err)
	}
	if set != nil && !c.plansOnly && !c.touched(set, req.Paths) {
		return nil, cli.Skipf("the change touches nothing under %s, nor a policy, data or waiver file", strings.Join(req.Paths, ", "))
	}
	paths, shown, remove, err := c.policyDirs()
	if err != nil {
		return nil, err
	}
	defer remove()
	// The bundled library's packages are homelab.*: all of them, unless
	// some are named.
	all := c.all || shown == bundledName && len(c.namespaces) == 0
	r := &report.Report{Tool: Tool, Findings: []report.Finding{}, Details: map[string]string{
		"policies": shown}, Counts: map[string]int{"exceptions": 0, "waived": 0}}
	if c.secrets {
		leak.Warm()
	}
	// The policies compile while the tree is walked and rendered: neither
	// needs the other, and each takes tens of milliseconds. What either
	// finds is reported in the order it was before: the policies first.
	type compiled struct {
		e   *Engine
		err error
	}
	done := make(chan compiled, 1)
	// A policy that does not compile is the run's error: rendering stops.
	inputsCtx, stopInputs := context.WithCancel(ctx)
	defer stopInputs()
	go func() {
		e, err := Load(Options{Policies: paths, Data: c.data, RegoVersion: c.regoVersion, Strict: c.strict,
			Capabilities: c.capabilities, Print: req.Progress})
		if err != nil {
			stopInputs()
		}
		done <- compiled{e, err}
	}()
	// The base's config decides which chart repositories rendering may
	// use; its findings follow the policies' notes.
	base := &report.Report{Details: r.Details}
	c.fromBase(base)
	// One walk of the tree for every part of the run that lists it.
	walk := tree.NewWalk()
	in, inputsErr := c.inputs(inputsCtx, walk, req.Paths, ignore)
	files, templates, builds, deprecated, planModules := in.files, in.templates, in.builds, in.deprecated, in.planModules
	l := <-done
	if l.err != nil {
		return inputFindings(r, l.err, RuleRego), l.err
	}
	e := l.e
	namespaces, err := e.Select(c.namespaces, all)
	if err != nil {
		return nil, err
	}
	r.Details["namespaces"] = strings.Join(namespaces, ", ")
	for _, ns := range namespaces {
		// Only a namespace asked for by name (or main, by default):
		// --all-namespaces and globs also find helper packages.
		named := slices.Contains(c.namespaces, ns) || !c.all && len(c.namespaces) == 0
		if named && len(e.Rules(ns)) == 0 {
			r.Findings = append(r.Findings, report.Finding{Rule: RuleNoRules, Severity: report.Note,
				Message: fmt.Sprintf("namespace %s has no deny, violation or warn rules; its policies did not run (see --namespace, --all-namespaces)", ns)})
		}
	}
	r.Findings = append(r.Findings, base.Findings...)
	// Bad waivers are reported, the good ones still apply, and the run
	// goes on: nothing else found is lost.
	waivers, waiverErr := c.loadWaivers()
	if waivers == nil {
		return nil, waiverErr
	}
	var problems []error
	if waiverErr != nil {
		inputFindings(r, waiverErr, RuleWaiverInvalid)
		problems = append(problems, waiverErr)
	}
	if inputsErr != nil {
		return nil, inputsErr
	}
	for _, t := range templates {
		if !slices.ContainsFunc(slices.Collect(maps.Values(builds)), func(b *kustomize.Build) bool {
			return b.Helm != nil && b.Err == nil && b.Helm.ChartDir() != "" && strings.HasPrefix(t, "Helm chart "+b.Helm.ChartDir()+" (")
		}) {
			notChecked(r, t)
		}
	}
	r.Summary.Files = len(files)
	for _, d := range deprecated {
		f := d.Finding(RuleKustomizeDeprecated, report.Note)
		r.Findings = append(r.Findings, f)
	}

	// Policies may come from the pull request: an evaluation that grows
	// the heap past the budget is stopped, as --timeout stops a slow one.
	// The secret scan after it runs no policy: the watch is not its
	// budget (it has its own), and a cancel meant for an evaluation must
	// not stop it.
	scanCtx := ctx
	ctx, stopWatch := watchMemory(ctx, uint64(c.memory)<<20)
	defer stopWatch()
	run := &run{c: c, e: e, walk: walk, namespaces: namespaces, fixed: fixed, files: files, results: make([]fileResult, len(files)), builds: builds, target: c.release.r,
		release: !c.schema && !c.combine}
	if err := run.start(ctx); err != nil {
		return nil, err
	}
	n := len(r.Findings)
	for _, fr := range run.results {
		n += len(fr.findings) + 1
	}
	r.Findings = slices.Grow(r.Findings, n)
	for i := range run.results {
		fr := &run.results[i]
		if b := builds[i]; b != nil && len(b.Warnings) > 0 {
			rule, line := RuleKustomize, 0
			if b.Helm != nil {
				rule, line = RuleHelm, b.Helm.Line
			}
			for _, w := range b.Warnings {
				r.Findings = append(r.Findings, report.Finding{Rule: rule, Severity: report.Note,
					File: files[i], Line: line, Message: b.Dir + ": " + w})
			}
		}
		if b := builds[i]; b != nil {
			for _, u := range b.Unused {
				f := u.Finding(RuleKustomize, report.Warning)
				f.Message = b.Dir + ": " + f.Message
				r.Findings = append(r.Findings, f)
			}
		}
		if b := builds[i]; b != nil && b.Err != nil {
			// A kustomization or a chart that does not build is a
			// finding (ArgoCD's sync would fail), not a broken check.
			rule := RuleKustomize
			if b.Helm != nil {
				rule = RuleHelm
			}
			inputFindings(r, b.Err, rule)
			continue
		}
		if fr.err != nil {
			problems = append(problems, fr.err)
			r.Findings = append(r.Findings, errorFinding(fr.err, files[i]))
		}
		r.Findings = append(r.Findings, fr.findings...)
		if fr.exceptions > 0 {
			r.Counts["exceptions"] += fr.exceptions
		}
	}
	// A kustomization that fails is a finding; only when nothing at all
	// could be checked is the run broken.
	checked := 0
	for i, fr := range run.results {
		if b := builds[i]; fr.parsed && (b == nil || b.Err == nil) {
			checked++
		}
	}
	if checked == 0 && len(builds) > 0 {
		problems = append(problems, errors.New("no kustomization built and no other input parsed: nothing was checked"))
	}
	if c.schema {
		if err := run.checkSchemas(r); err != nil {
			problems = append(problems, err)
		}
	}
	if c.combine {
		if err := run.combined(ctx, r); err != nil {
			problems = append(problems, err)
		}
	}
	r.Findings = mergeOverlays(r.Findings, builds)
	for i, f := range r.Findings {
		if !strings.HasSuffix(f.File, ".tfplan.json") {
			continue
		}
		abs := f.File
		if !filepath.IsAbs(abs) {
			abs, _ = filepath.Abs(abs)
		}
		if m, ok := planModules[abs]; ok {
			r.Findings[i].File, r.Findings[i].Line, r.Findings[i].Column = m, 0, 0
		}
	}
	if err := c.deploys(ctx, r); err != nil {
		problems = append(problems, err)
	}
	if c.secrets {
		if err := c.scanSecrets(scanCtx, r, walk, req.Paths, ignore); err != nil {
			problems = append(problems, err)
		}
	}
	if c.addresses {
		found, claims, err := addr.Tree(walk, req.Paths, ignore)
		if err != nil {
			problems = append(problems, fmt.Errorf("address plan: %w", err))
		}
		r.Findings = append(r.Findings, found...)
		for src, n := range claims {
			r.Counts["addresses."+string(src)] = n
		}
	}
	if c.tekton {
		found, n, err := tekton.Tree(walk, req.Paths, ignore)
		if err != nil {
			problems = append(problems, fmt.Errorf("tekton: %w", err))
		}
		r.Findings = append(r.Findings, found...)
		r.Counts["tekton"] = n
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	r.Counts["waived"] = waivers.apply(r, now())
	return r, errors.Join(problems...)
}

// touched reports whether a change touches what the check reads: a
// file under paths, a policy, a data file or the waivers.
func (c *Check) touched(set *change.Set, paths []string) bool {
	for _, group := range [][]string{paths, c.policies, c.data, {c.waivers}} {
		for _, p := range group {
			if p != "" && p != BundledRef && set.Under(p) {
				return true
			}
		}
	}
	return false
}

// onlyPlans makes the run --plans-only: the plans are its only inputs,
// and nothing that reads the repository runs (the rendering, the rendered
// diff, the schema check, the secret scan, the address plan, the Tekton
// references); with no plan it is a skip.
func (c *Check) onlyPlans() error {
	if c.plans == "" {
		return cli.Usagef("--plans-only needs --plans DIR")
	}
	files, _, err := planInputs(c.plans)
	if err != nil {
		return cli.Usagef("--plans: %w", err)
	}
	if len(files) == 0 {
		return cli.Skipf("no Terraform plans in %s: terraform-plan planned nothing (not a trusted run, or no root module has a state)", c.plans)
	}
	c.schema, c.secrets, c.addresses, c.tekton, c.combine = false, false, false, false, false
	c.kustomize, c.helm, c.baseDir, c.fetchCharts = "off", "off", "", false
	return nil
}

// planInputs are the plans terraform-plan wrote into dir, and the root
// module each is of, by its absolute path.
func planInputs(dir string) ([]string, map[string]string, error) {
	if dir == "" {
		return nil, nil, nil
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	var files []string
	modules := map[string]string{}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".tfplan.json")
		if !ok || !e.Type().IsRegular() {
			continue
		}
		files = append(files, filepath.Join(dir, e.Name()))
		if name == "_root" {
			name = "."
		}
		modules[filepath.Join(dir, e.Name())] = strings.ReplaceAll(name, "__", "/")
	}
	return files, modules, nil
}

// fromBase takes what a pull request may not decide for itself from its
// base branch's config: the chart repositories the run may connect to,
// and which overlays are production (a pull request that said its
// production is none would turn the errors of its own deletions into
// warnings). A base config that is not the one the fetch step recorded
// gives neither: nothing is fetched.
func (c *Check) fromBase(r *report.Report) {
	if c.baseConfigSum == "" && c.baseRevision == "" {
		return
	}
	headRepos, headProd := c.chartRepos, c.production
	c.chartRepos, c.production = nil, nil
	var base *config.Config
	var err error
	if c.baseConfig != "" {
		base, err = config.LoadPinned(c.baseConfig, c.baseConfigSum)
	}
	if err != nil {
		c.fetchCharts = false
		r.Details["fromBase"] = "the base branch's config cannot be used (" + err.Error() + "): no chart is fetched, production is the default"
		return
	}
	if base != nil && base.Policy != nil {
		c.chartRepos, c.production = base.Policy.ChartRepos, base.Policy.Production
	}
	var ignored []string
	if !slices.Equal(headRepos, c.chartRepos) {
		ignored = append(ignored, "policy.chartRepos")
	}
	if !slices.Equal(headProd, c.production) {
		ignored = append(ignored, "policy.production")
	}
	if len(ignored) > 0 {
		r.Findings = append(r.Findings, report.Finding{Rule: RuleHelm, Severity: report.Note, File: config.FileName,
			Message: "the pull request's " + strings.Join(ignored, " and ") + " differ from the base branch's, which this run uses: a pull request cannot choose where the check connects to or what is production (change the base branch's config first)"})
	}
}

// deploys adds what the change deploys (pkg/delta), with --base-dir.
func (c *Check) deploys(ctx context.Context, r *report.Report) error {
	if c.baseDir == "" || c.rendered == nil {
		return nil
	}
	if fi, err := os.Stat(c.baseDir); err != nil || !fi.IsDir() {
		r.Details["deploys"] = "no base to compare with (" + c.baseDir + " is not there: a push, or a manual run)"
		return nil
	}
	d, err := delta.Report(ctx, c.baseDir, c.rendered, c.renderOpt, delta.Production(c.production))
	if err != nil {
		return fmt.Errorf("rendered diff: %w", err)
	}
	r.Findings = append(r.Findings, d.Findings...)
	for k, v := range d.Counts {
		r.Counts[k] = v
	}
	return nil
}

// scanSecrets adds the secret scan's findings (pkg/leak) of every file
// under paths, but not where a policy already reports the same plaintext
// credential (report.Alike) at the same line.
func (c *Check) scanSecrets(ctx context.Context, r *report.Report, walk *tree.Walk, paths []string, ignore *regexp.Regexp) error {
	found, st, err := leak.Tree(ctx, walk, paths, ignore, c.jobs)
	if err != nil {
		return fmt.Errorf("secret scan: %w", err)
	}
	r.Counts["secretScanFiles"] = st.Files
	type at struct {
		group int
		file  string
		line  int
	}
	shown := map[at]bool{}
	for _, f := range r.Findings {
		if g, ok := report.Alike(f.Rule); ok {
			shown[at{g, f.File, f.Line}] = true
		}
	}
	for _, f := range found {
		if g, ok := report.Alike(f.Rule); ok && shown[at{g, f.File, f.Line}] {
			continue
		}
		r.Findings = append(r.Findings, f)
	}
	return nil
}

// render renders the kustomizations under paths (--kustomize,
// --kustomization) and returns the input files: the plain files no build
// read (a base or a patch is checked as rendered, not as written), then one
// per build.
func (c *Check) render(ctx context.Context, walk *tree.Walk, paths, files []string, ignore *regexp.Regexp) ([]string, map[int]*kustomize.Build, []*report.InputError, error) {
	switch c.kustomize {
	case "off":
		if len(c.kustomizations) > 0 {
			return nil, nil, nil, cli.Usagef("--kustomization with --kustomize off")
		}
		return files, nil, nil, nil
	case "auto", "":
	default:
		return nil, nil, nil, cli.Usagef("--kustomize %q: want auto or off", c.kustomize)
	}
	root := tree.Root(".")
	var dirs []string
	for _, d := range c.kustomizations {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	opt := kustomize.Options{Root: root, Paths: paths, Dirs: dirs, Walk: walk}
	switch c.helm {
	case "auto", "":
		opt.Helm = &kustomize.HelmOptions{KubeVersion: c.release.raw, Cache: c.cache,
			RepoURLs: append(tree.GitRemotes(root), c.repoURLs...)}
		if c.fetchCharts {
			opt.Helm.Fetch = &helm.Remote{Allow: c.chartRepos, Store: helm.Cache(c.cache)}
		}
	case "off":
	default:
		return nil, nil, nil, cli.Usagef("--helm %q: want auto or off", c.helm)
	}
	res, err := kustomize.Render(ctx, opt)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("kustomize: %w", err)
	}
	c.rendered, c.renderOpt = res, opt
	consumed := map[string]bool{}
	for f := range res.Consumed {
		consumed[filepath.Join(root, f)] = true
	}
	var out []string
	for _, f := range files {
		if abs, err := filepath.Abs(f); err != nil || !consumed[abs] {
			out = append(out, f)
		}
	}
	builds := map[int]*kustomize.Build{}
	for _, b := range res.Builds {
		file, _ := report.RelPath(filepath.Join(root, b.File))
		if ignore != nil && ignore.MatchString(file) {
			continue
		}
		b.Dir, _ = report.RelPath(filepath.Join(root, b.Dir))
		builds[len(out)] = b
		out = append(out, file)
	}
	for _, d := range res.Deprecated {
		d.File, _ = report.RelPath(filepath.Join(root, d.File))
	}
	return out, builds, res.Deprecated, nil
}

// BundledRef, as a --policy value (or in policy.policies), is the bundled
// library, to run beside the repository's own policies.
const BundledRef = "@homelab"

// bundledName is how reports name the bundled library.
const bundledName = "the bundled homelab library (docs/policies.md)"

// policyDirs are the policy directories to load and how the report names
// them: --policy, else ./policy, else the bundled library written to a
// temporary directory, which remove removes.
func (c *Check) policyDirs() (paths []string, shown string, remove func(), err error) {
	if paths, err = c.policyPaths(); err != nil {
		return nil, "", nil, err
	}
	if i := slices.Index(paths, BundledRef); i >= 0 {
		// The bundled library beside the repository's own policies.
		dir, remove, err := bundled()
		if err != nil {
			return nil, "", nil, err
		}
		shown := relAll(paths)
		paths[i], shown[i] = dir, bundledName
		return paths, strings.Join(shown, ", "), remove, nil
	}
	if paths != nil {
		return paths, strings.Join(relAll(paths), ", "), func() {}, nil
	}
	dir, remove, err := bundled()
	if err != nil {
		return nil, "", nil, err
	}
	return []string{dir}, bundledName, remove, nil
}

// policyPaths applies the defaults: ./policy, else nil: the bundled
// library.
// Empty values are ignored, so a Task can pass an unbound optional
// workspace's path.
func (c *Check) policyPaths() ([]string, error) {
	var out []string
	for _, p := range c.policies {
		if p != "" {
			out = append(out, p)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	if fi, err := os.Stat("policy"); err == nil && fi.IsDir() {
		return []string{"policy"}, nil
	}
	return nil, nil // the bundled library
}

// bundled names the homelab library compiled into the binary, as a
// policy path compile reads from the embedded file system: nothing is
// written to disk (a copy a killed run left behind would outlive it).
// remove does nothing; it stays so callers need not care which it is.
func bundled() (dir string, remove func(), err error) {
	return BundledRef, func() {}, nil
}

func relAll(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i], _ = report.RelPath(p)
	}
	return out
}

// inputFindings turns policy or waiver problems into findings of rule, so
// the report shows each at its file and line.
func inputFindings(r *report.Report, err error, rule string) *report.Report {
	for _, e := range cli.Flatten(err) {
		f := report.Finding{Rule: rule, Severity: report.Error, Message: e.Error()}
		var ie *report.InputError
		var uf *kustomize.Unfetched
		switch {
		case errors.As(e, &uf):
			// A remote base or a chart: named, and the rest checked.
			f = uf.Finding(RuleNotRendered, report.Note)
			notRendered(r, f.File)
		case errors.As(e, &ie):
			f = ie.Finding(rule, report.Error)
		}
		r.Findings = append(r.Findings, f)
	}
	return r
}

// errorFinding reports an input that could not be parsed or evaluated.
func errorFinding(err error, file string) report.Finding {
	var ie *report.InputError
	if errors.As(err, &ie) {
		return ie.Finding(RuleParse, report.Error)
	}
	f := report.Finding{Rule: RuleEval, Severity: report.Error, Message: err.Error()}
	f.File, _ = report.RelPath(file)
	return f
}

// inputs are the files a run checks: those discover finds, the plans,
// and kustomize's renderings in place of the files they consume.
type inputs struct {
	files, templates []string
	builds           map[int]*kustomize.Build
	deprecated       []*report.InputError
	planModules      map[string]string
}

func (c *Check) inputs(ctx context.Context, walk *tree.Walk, paths []string, ignore *regexp.Regexp) (inputs, error) {
	var in inputs
	var files, templates []string
	var err error
	if !c.plansOnly {
		if files, templates, err = discover(walk, paths, ignore, c.waivers); err != nil {
			return in, cli.Usagef("%w", err)
		}
	}
	planFiles, planModules, err := planInputs(c.plans)
	if err != nil {
		return in, cli.Usagef("--plans: %w", err)
	}
	in.templates, in.planModules = templates, planModules
	in.files, in.builds, in.deprecated, err = c.render(ctx, walk, paths, append(files, planFiles...), ignore)
	return in, err
}

// discover lists input files: files as given, directories walked for the
// formats a parser claims by file name (with --parser too, as conftest
// does, so binaries are not parsed). The waiver file is configuration,
// not input.
func discover(walk *tree.Walk, paths []string, ignore *regexp.Regexp, waivers string) (files, templates []string, err error) {
	skipFile, _ := filepath.Abs(waivers)
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, nil, err
		}
		if !fi.IsDir() {
			if ignore == nil || !ignore.MatchString(p) {
				files = append(files, p)
			}
			continue
		}
		entries, err := walk.Entries(p)
		if err != nil {
			return nil, nil, err
		}
		// Entries come in walk order: a template directory is seen before
		// what is under it, which is then passed over.
		var under string
		for _, e := range entries {
			if under != "" && strings.HasPrefix(e.Path, under) {
				continue
			}
			under = ""
			if e.Dir() {
				if skip, what := templateDir(e.Path); skip {
					if what != "" {
						templates = append(templates, what)
					}
					under = e.Path + string(filepath.Separator)
				}
				continue
			}
			if ignore != nil && ignore.MatchString(e.Path) {
				continue
			}
			if e.Name() == filepath.Base(skipFile) {
				if abs, _ := filepath.Abs(e.Path); abs == skipFile {
					continue
				}
			}
			if _, ok := parser.ForPath(e.Path); ok {
				files = append(files, e.Path)
			}
		}
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("no input files in %s", strings.Join(paths, ", "))
	}
	return files, templates, nil
}

// templateDir says what a directory of templates is, or "": a Helm
// chart's templates/ (Go templates, rendered by helm, not YAML until
// then) or an Ansible role's templates/ (Jinja2). Their files are never
// read as configuration; the chart is named as not checked.
func templateDir(dir string) (skip bool, what string) {
	if filepath.Base(dir) != "templates" {
		return false, ""
	}
	parent := filepath.Dir(dir)
	if fi, err := os.Stat(filepath.Join(parent, "Chart.yaml")); err == nil && fi.Mode().IsRegular() {
		rel, _ := report.RelPath(parent)
		return true, "Helm chart " + rel + " (its templates need helm to render)"
	}
	// Jinja2 for Ansible: ansible-lint-check reads the role.
	return filepath.Base(filepath.Dir(parent)) == "roles", ""
}

// Command is the policy-check binary, with verify: its image's main, and
// plumbline check.
func Command() cli.Command {
	return cli.Command{
		Name:     Tool,
		Synopsis: "[PATH ...]",
		Summary:  "Evaluate Rego policies (conftest's deny/violation/warn/exception rules) against configuration files.",
		Check:    &Check{},
		// Evaluation state is most of the garbage and the live heap is
		// small: collecting half as often saves about a tenth of the
		// time for about 10 MiB more at the peak, still below conftest's
		// on the same work (docs/policy-check.md, Performance).
		GCPercent: 200,
		Subcommands: []cli.Command{{
			Name:     "verify",
			Synopsis: "[POLICY-DIR ...]",
			Summary:  "Run the policies' Rego unit tests (test_ rules), like conftest verify.",
			Check:    &Verify{},
		}},
	}
}

// LibraryRule is one rule of the bundled homelab library.
type LibraryRule struct {
	ID       string // namespace/rule, as its findings carry it
	Severity report.Severity
	Help     string // its METADATA title and description
}

// LibraryRules lists the bundled library's rules (plumbline rules).
func LibraryRules() ([]LibraryRule, error) {
	dir, remove, err := bundled()
	if err != nil {
		return nil, err
	}
	defer remove()
	e, err := Load(Options{Policies: []string{dir}})
	if err != nil {
		return nil, err
	}
	var out []LibraryRule
	for _, ns := range e.Namespaces() {
		for _, name := range e.Rules(ns) {
			sev := report.Error
			if warningRule.MatchString(name) {
				sev = report.Warning
			}
			id := ns + "/" + name
			out = append(out, LibraryRule{ID: id, Severity: sev, Help: e.Help(id)})
		}
	}
	return out, nil
}

// notRendered adds file's kustomization to what the report says was not
// checked, once.
func notRendered(r *report.Report, file string) {
	notChecked(r, "rendering "+file+" (offline: a remote base or a chart)")
}

// notChecked adds what to what the report says was not checked, once.
func notChecked(r *report.Report, what string) {
	if r.Details == nil {
		r.Details = map[string]string{}
	}
	old := r.Details[report.DetailSkipped]
	if strings.Contains(old, what) {
		return
	}
	if old != "" {
		what = old + "; " + what
	}
	r.Details[report.DetailSkipped] = report.Truncate(what, report.MaxMessage)
}

package terraform

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

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/secret"
	"github.com/plumbline/plumbline/pkg/tree"
)

// PlanTool is terraform-plan's name in reports.
const PlanTool = "terraform-plan"

// Rule ids of terraform-plan.
const (
	RulePlanCreate     = "terraform/plan-create"
	RulePlanUpdate     = "terraform/plan-update"
	RulePlanReplace    = "terraform/plan-replace"
	RulePlanDestroy    = "terraform/plan-destroy"
	RulePlanMaxDestroy = "terraform/plan-max-destroy"
	RulePlanDrift      = "terraform/plan-drift"
	RulePlanError      = "terraform/plan-error"
	RulePlanNoState    = "terraform/plan-no-state"
)

// Plan is terraform-plan: terraform plan of every root module, against
// its real state and the real infrastructure, summarised per resource.
// It runs the providers with credentials, so only for trusted runs: the
// pipelines pass --trusted=false for the others, and nothing is run.
type Plan struct {
	// NewTerraform makes the binary driver; nil means the real one.
	NewTerraform func(bin string) Planner

	bin, mirror, pluginDir string
	credentials, planDir   string
	trusted, passEnv       bool
	maxDestroy             limit
	timeout                time.Duration
	include, exclude       cli.List
	allDirs                bool
}

var _ cli.Check = (*Plan)(nil)

// PlanCommand is terraform-plan's command; the terraform-validate image
// runs it as `terraform-validate terraform-plan`.
func PlanCommand() cli.Command {
	return cli.Command{Name: PlanTool, Synopsis: "[PATH ...]",
		Summary: "Plan every Terraform root module under PATH (default terraform/) against its state and the real infrastructure, and report what would be created, changed, replaced and destroyed, and what drifted.",
		Check:   &Plan{maxDestroy: limit{percent: true, n: 30}, trusted: true}}
}

// limit is --max-destroy: a count, or a percentage of the resources in
// the state.
type limit struct {
	percent bool
	n       int
	set     bool
}

var _ flag.Value = (*limit)(nil)

func (l *limit) String() string {
	if l == nil {
		return ""
	}
	if l.percent {
		return strconv.Itoa(l.n) + "%"
	}
	return strconv.Itoa(l.n)
}

func (l *limit) Set(s string) error {
	s = strings.TrimSpace(s)
	pct := strings.HasSuffix(s, "%")
	n, err := strconv.Atoi(strings.TrimSuffix(s, "%"))
	if err != nil || n < 0 || pct && n > 100 {
		return fmt.Errorf("want a count (5) or a percentage (30%%), not %q", s)
	}
	*l = limit{percent: pct, n: n, set: true}
	return nil
}

// MinPlanned is the state size below which --max-destroy as a percentage
// does not apply (octoDNS's MIN_EXISTING_RECORDS): destroying one of three
// resources is a third, and says nothing.
const MinPlanned = 10

func (c *Plan) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.bin, "terraform-bin", "", "terraform or tofu `BINARY` (default: terraform, else tofu, on PATH)")
	fs.StringVar(&c.mirror, "provider-mirror", "", "install providers only from this filesystem mirror `DIR`")
	fs.StringVar(&c.pluginDir, "plugin-dir", "", "pass -plugin-dir `DIR` to terraform init")
	fs.StringVar(&c.credentials, "credentials-dir", "", "`DIR` of files, each an environment variable for terraform and its providers: its name the file's (PROXMOX_VE_API_TOKEN, TF_VAR_pm_password, AWS_ACCESS_KEY_ID for an S3 backend, KUBE_CONFIG_PATH), its value the content; the values are masked in every message")
	fs.BoolVar(&c.passEnv, "pass-env", false, "give terraform and its providers this process's whole environment (a laptop's PROXMOX_VE_*, AWS_*, KUBE_CONFIG_PATH), not only what a run needs; plumbline check --plan does")
	fs.StringVar(&c.planDir, "plan-dir", "", "write each root module's plan as JSON (terraform show -json, sensitive and credential-named values masked, no configuration or variables) into `DIR`, as MODULE.tfplan.json, for policy-check")
	fs.Var(&c.maxDestroy, "max-destroy", "more destroys and replacements than `N` (a count, or a percentage of the resources in a state of at least 10) in a root module is an error (terraform/plan-max-destroy)")
	fs.BoolVar(&c.trusted, "trusted", c.trusted, "plan; false plans nothing and says why (the pipelines pass false for a run that is not trusted: a pull request's code would run with the providers' credentials)")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Minute, "time limit for init and plan of one module")
	fs.Var(&c.include, "include", "only directories matching `GLOBS` (comma-separated, repeatable)")
	fs.Var(&c.exclude, "exclude", "skip directories matching `GLOBS` (comma-separated, repeatable)")
	fs.BoolVar(&c.allDirs, "all-dirs", false, "plan every module directory, also those only used as local module sources")
}

// DefaultPaths is the repository's layout: terraform/ (cli.Defaulter).
func (c *Plan) DefaultPaths() []string { return []string{"terraform"} }

func (c *Plan) Run(ctx context.Context, req cli.Request) (*report.Report, error) {
	if !c.trusted {
		return nil, cli.Skipf("not planned: the run is not trusted (a pull request's code would run with the providers' credentials; pushes, trusted authors' pull requests and scheduled runs are planned)")
	}
	progress := req.Progress
	if progress == nil {
		progress = io.Discard
	}
	for _, d := range []struct{ flag, dir string }{{"--provider-mirror", c.mirror}, {"--plugin-dir", c.pluginDir}, {"--credentials-dir", c.credentials}} {
		if d.dir == "" {
			continue
		}
		if fi, err := os.Stat(d.dir); err != nil || !fi.IsDir() {
			return nil, cli.Usagef("%s %s: not a directory", d.flag, d.dir)
		}
	}
	creds, err := readCredentials(c.credentials)
	if err != nil {
		return nil, cli.Usagef("--credentials-dir: %w", err)
	}
	masked := maps.Clone(creds)
	if c.passEnv {
		// What the environment gives terraform under a credential's
		// name is masked as the credentials directory's files are.
		if masked == nil {
			masked = map[string]string{}
		}
		for _, kv := range os.Environ() {
			if k, v, ok := strings.Cut(kv, "="); ok && (secret.Name(k) || strings.HasPrefix(k, "TF_VAR_")) {
				masked["env "+k] = v
			}
		}
	}
	mask := masker(masked)
	w, escapes, err := walkPaths(req.Paths, c.include, c.exclude)
	if err != nil {
		return nil, err
	}
	r := &report.Report{Tool: PlanTool, Details: map[string]string{}, Counts: map[string]int{}}
	for _, e := range escapes {
		rel, _ := report.RelPath(e.Path)
		r.Findings = append(r.Findings, report.Finding{Rule: RuleRead, Severity: report.Error, File: rel,
			Message: e.Msg + "; terraform, which would follow it, is not run"})
	}
	if len(r.Findings) > 0 {
		return r, nil
	}
	if len(w.dirs) == 0 && req.Defaulted {
		return nil, cli.Skipf("no Terraform files under %s", strings.Join(req.Paths, ", "))
	}
	// The modules as terraform-validate finds them; its findings are its
	// own report's, only which modules parse matters here.
	v := &Check{allDirs: c.allDirs, mirror: c.mirror, pluginDir: c.pluginDir}
	sources := v.scan(w, &report.Report{})
	var roots []*dir
	for _, d := range w.dirs {
		switch {
		case !d.root:
		case len(sources[d]) < len(d.files):
			r.Findings = append(r.Findings, report.Finding{Rule: RulePlanError, Severity: report.Error, File: d.rel,
				Message: d.rel + ": not planned: a file does not parse (terraform-validate says where)"})
		default:
			if why := noState(d, sources[d]); why != "" {
				r.Findings = append(r.Findings, report.Finding{Rule: RulePlanNoState, Severity: report.Note, File: d.rel,
					Message: d.rel + ": not planned: " + why})
				continue
			}
			roots = append(roots, d)
		}
	}
	r.Summary.Files = len(roots)
	if len(roots) == 0 {
		return r, nil
	}
	bin, err := FindBinary(c.bin)
	if err != nil {
		return r, err
	}
	base := BaseEnv()
	if c.passEnv {
		for _, kv := range os.Environ() {
			if k, v, ok := strings.Cut(kv, "="); ok {
				base[k] = v
			}
		}
		// The check's own settings still win.
		base["CHECKPOINT_DISABLE"], base["TF_IN_AUTOMATION"] = "1", "1"
		delete(base, "TF_CLI_CONFIG_FILE")
		delete(base, "TF_DATA_DIR")
	}
	var tf Planner = &Exec{Bin: bin, Env: base}
	if c.NewTerraform != nil {
		tf = c.NewTerraform(bin)
	}
	version, err := tf.Version(ctx)
	if err != nil {
		return r, err
	}
	r.Details["terraform"] = filepath.Base(bin) + " " + version
	tmp, err := os.MkdirTemp("", "terraform-plan-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(tmp)
	env, pluginDir, err := v.environment(tmp, true)
	if err != nil {
		return r, err
	}
	if c.planDir != "" {
		if err := os.MkdirAll(c.planDir, 0o755); err != nil {
			return r, fmt.Errorf("--plan-dir: %w", err)
		}
	}
	var errs []error
	for i, d := range roots {
		start := time.Now()
		modEnv := map[string]string{"TF_DATA_DIR": filepath.Join(tmp, "data", strconv.Itoa(i))}
		for k, v := range env {
			modEnv[k] = v
		}
		for k, v := range creds {
			modEnv[k] = v
		}
		fs, n, err := c.planOne(ctx, tf, d, sources[d], modEnv, pluginDir, filepath.Join(tmp, "plan-"+strconv.Itoa(i)), mask)
		r.Findings = append(r.Findings, fs...)
		for k, v := range n {
			r.Counts[k] += v
		}
		status := fmt.Sprintf("%d to add, %d to change, %d to replace, %d to destroy, %d drifted", n["create"], n["update"], n["replace"], n["destroy"], n["drift"])
		if err != nil {
			status = "failed"
			errs = append(errs, err)
		}
		fmt.Fprintf(progress, "%s: [%d/%d] %s: %s (%.1fs)\n", PlanTool, i+1, len(roots), d.rel, status, time.Since(start).Seconds())
	}
	return r, errors.Join(errs...)
}

// planOne runs init, plan and show in d and reports what the plan does.
func (c *Plan) planOne(ctx context.Context, tf Planner, d *dir, srcs []*source, env map[string]string, pluginDir, planFile string, mask func(string) string) ([]report.Finding, map[string]int, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	failed := func(step string, err error) ([]report.Finding, map[string]int, error) {
		msg := err.Error()
		var pe *PlanError
		if errors.As(err, &pe) {
			msg = pe.Output
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			msg = fmt.Sprintf("timed out after %s (--timeout)", c.timeout)
		}
		f := report.Finding{Rule: RulePlanError, Severity: report.Error, File: d.rel,
			Message: fmt.Sprintf("%s: terraform %s failed: %s", d.rel, step, report.TruncateStart(mask(strings.TrimSpace(msg)), 2000))}
		// A failed plan is a finding (the change cannot be applied as
		// it is), not a broken check: the next module is still planned.
		return []report.Finding{f}, nil, nil
	}
	defer keepLockFile(d.osPath)()
	if err := tf.InitBackend(ctx, d.osPath, env, pluginDir); err != nil {
		return failed("init", err)
	}
	if err := tf.Plan(ctx, d.osPath, env, planFile); err != nil {
		return failed("plan", err)
	}
	data, err := tf.Show(ctx, d.osPath, env, planFile)
	if err != nil {
		return failed("show", err)
	}
	p, err := parsePlan(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", d.rel, err)
	}
	fs, n := summarise(d.rel, p, locator(srcs), c.maxDestroy, mask)
	if c.planDir != "" {
		masked, err := maskPlan(data, mask)
		if err != nil {
			return fs, n, fmt.Errorf("%s: %w", d.rel, err)
		}
		name := strings.ReplaceAll(strings.Trim(d.rel, "/"), "/", "__")
		if name == "" || name == "." {
			name = "_root"
		}
		if err := os.WriteFile(filepath.Join(c.planDir, name+".tfplan.json"), masked, 0o644); err != nil {
			return fs, n, fmt.Errorf("--plan-dir: %w", err)
		}
	}
	return fs, n, nil
}

// noState says why d has no state a plan could be compared with: its
// backend is local (none is configured, or backend "local") and the state
// file is not there, as in a fresh clone, where every resource would be
// planned as new. "" when it has one.
func noState(d *dir, srcs []*source) string {
	kind, statePath := "local", "terraform.tfstate"
	for _, s := range srcs {
		body, ok := s.file.Body.(*hclsyntax.Body)
		if !ok || s.vars || s.test {
			if !ok && !s.vars && !s.test && strings.Contains(string(s.text), `"backend"`) {
				kind = "json" // a backend in JSON syntax: trust it
			}
			continue
		}
		for _, b := range body.Blocks {
			if b.Type != "terraform" {
				continue
			}
			for _, inner := range b.Body.Blocks {
				switch {
				case inner.Type == "cloud":
					kind = "cloud"
				case inner.Type == "backend" && len(inner.Labels) == 1:
					kind = inner.Labels[0]
					if a, ok := inner.Body.Attributes["path"]; ok && kind == "local" {
						if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
							statePath = v.AsString()
						}
					}
				}
			}
		}
	}
	if kind != "local" {
		return ""
	}
	p := statePath
	if !filepath.IsAbs(p) {
		p = filepath.Join(d.osPath, p)
	}
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
		return ""
	}
	return "its state is local (no backend block, or backend \"local\") and " + statePath + " is not here: every resource would be planned as new. Give it a backend CI can read (kubernetes, s3, pg, http, remote) to plan it in a pipeline"
}

// keepLockFile leaves the source tree's lock file as it was when the
// returned function runs: init writes or updates it.
func keepLockFile(dir string) func() {
	lock := filepath.Join(dir, lockFile)
	before, err := os.ReadFile(lock)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return func() { os.Remove(lock) }
	case err != nil:
		return func() {}
	}
	return func() {
		if after, err := os.ReadFile(lock); err != nil || string(before) != string(after) {
			_ = os.WriteFile(lock, before, 0o644)
		}
	}
}

// envName is what a credentials file may be called: an environment
// variable's name.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// maxCredential bounds one credentials file (a kubeconfig is the largest).
const maxCredential = 256 << 10

// readCredentials reads dir's files as environment variables: a
// Kubernetes Secret mounted as a volume (its ..data links are the
// volume's own and are followed inside it only).
func readCredentials(dir string) (map[string]string, error) {
	if dir == "" {
		return nil, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue // the volume's ..data and ..2024_… entries
		}
		if !envName.MatchString(name) {
			return nil, fmt.Errorf("%s: not an environment variable's name", name)
		}
		data, err := tree.ReadFile(dir, filepath.Join(dir, name), maxCredential)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = strings.TrimRight(string(data), "\r\n")
	}
	return out, nil
}

// masker replaces every credential's value in a message.
func masker(creds map[string]string) func(string) string {
	var values []string
	for _, v := range creds {
		if len(v) >= 4 {
			values = append(values, v)
			// A multi-line value (a kubeconfig, a key) is masked line
			// by line too: a message may quote one line of it.
			for _, l := range strings.Split(v, "\n") {
				if l = strings.TrimSpace(l); len(l) >= 8 {
					values = append(values, l)
				}
			}
		}
	}
	// Longest first: a value containing another is masked whole.
	slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
	return func(s string) string {
		for _, v := range values {
			s = strings.ReplaceAll(s, v, "****")
		}
		return s
	}
}

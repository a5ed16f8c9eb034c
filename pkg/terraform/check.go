package terraform

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/rogpeppe/go-internal/diff"

	"github.com/plumbline/plumbline/pkg/change"
	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/glob"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tree"
)

// Tool is the check's name in reports.
const Tool = "terraform-validate"

// Rule ids of the terraform passes.
const (
	RuleFormat   = "terraform/fmt"
	RuleValidate = "terraform/validate"
	RuleInit     = "terraform/init"
)

// Check is terraform-validate; it implements cli.Check.
type Check struct {
	// NewTerraform makes the binary driver; nil means the real one.
	NewTerraform func(bin string) Terraform

	bin              string
	offline, allDirs bool
	fmt              bool
	mirror           string
	pluginDir        string
	jobs             int
	timeout          time.Duration
	include, exclude cli.List
	changes          change.Flags
}

var _ cli.Check = (*Check)(nil)

func (c *Check) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.bin, "terraform-bin", "", "terraform or tofu `BINARY` (default: terraform, else tofu, on PATH)")
	fs.BoolVar(&c.offline, "offline", false, "skip terraform init and validate (syntax, rules and fmt only); the report says so")
	fs.BoolVar(&c.fmt, "fmt", true, "run terraform fmt -check (--fmt=false with --offline needs no terraform at all)")
	fs.StringVar(&c.mirror, "provider-mirror", "", "install providers only from this filesystem mirror `DIR` (terraform providers mirror DIR)")
	fs.StringVar(&c.pluginDir, "plugin-dir", "", "pass -plugin-dir `DIR` to terraform init")
	fs.IntVar(&c.jobs, "jobs", runtime.NumCPU(), "root modules validated in parallel")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Minute, "time limit for init and validate of one module")
	fs.Var(&c.include, "include", "only directories matching `GLOBS` (comma-separated, repeatable; * ? and ** which spans directories)")
	fs.Var(&c.exclude, "exclude", "skip directories matching `GLOBS` (comma-separated, repeatable)")
	fs.BoolVar(&c.allDirs, "all-dirs", false, "validate every module directory, also those only used as local module sources")
	c.changes.Register(fs, "only the root modules it touches, in their own files or a local module they call, are checked")
}

// DefaultPaths is the repository's layout: terraform/ (cli.Defaulter).
func (c *Check) DefaultPaths() []string { return []string{"terraform"} }

func (c *Check) Run(ctx context.Context, req cli.Request) (*report.Report, error) {
	progress := req.Progress
	if progress == nil {
		progress = io.Discard
	}
	if c.jobs < 1 {
		return nil, cli.Usagef("--jobs must be at least 1")
	}
	for _, d := range []struct{ flag, dir string }{{"--provider-mirror", c.mirror}, {"--plugin-dir", c.pluginDir}} {
		if d.dir == "" {
			continue
		}
		if fi, err := os.Stat(d.dir); err != nil || !fi.IsDir() {
			return nil, cli.Usagef("%s %s: not a directory", d.flag, d.dir)
		}
	}
	w, escapes, err := walkPaths(req.Paths, c.include, c.exclude)
	if err != nil {
		return nil, err
	}
	if len(w.dirs) == 0 && len(w.findings) == 0 && len(escapes) == 0 && req.Defaulted {
		return nil, cli.Skipf("no Terraform files under %s", strings.Join(req.Paths, ", "))
	}
	r := &report.Report{Tool: Tool, Details: map[string]string{}}
	r.Findings = append(r.Findings, w.findings...)
	sources := c.scan(w, r)
	if err := c.narrow(w, sources, r); err != nil {
		return nil, err
	}
	r.Findings = append(r.Findings, cycles(w, sources)...)
	// terraform follows symlinks (a module source, a .tf file): with one
	// leading out of the tree, it is not run at all, and each is an error.
	for _, e := range escapes {
		rel, _ := report.RelPath(e.Path)
		r.Findings = append(r.Findings, report.Finding{Rule: RuleRead, Severity: report.Error, File: rel,
			Message: e.Msg + "; terraform, which would follow it, is not run", Help: helpBase + "unreadable"})
	}
	if len(escapes) > 0 {
		c.fmt, c.offline = false, true
		r.Details[report.DetailSkipped] = "fmt, init and validate (a symlink leads out of the scanned tree)"
		return r, nil
	}

	var skipped []string
	if !c.fmt {
		skipped = append(skipped, "fmt (--fmt=false)")
	}
	if c.offline {
		skipped = append(skipped, "init and validate (--offline)")
	}
	if len(skipped) > 0 {
		r.Details[report.DetailSkipped] = strings.Join(skipped, ", ")
	}
	var plan []fmtDir
	if c.fmt {
		plan = fmtPlan(w, sources)
	}
	if c.offline && (!c.fmt || !needsTerraform(plan)) {
		// No terraform needed: fmt, if asked, is decided without it.
		fmtFindings, err := c.format(ctx, nil, plan, sources)
		r.Findings = append(r.Findings, fmtFindings...)
		return r, err
	}
	// terraform's version is asked while the modules are checked (on one
	// module its process was a sixth of the run); with --offline, fmt
	// alone is left and is skipped when terraform does not answer.
	tf, version, err := c.terraform(ctx)
	if err == nil && c.offline {
		err = version.wait()
	}
	if err != nil {
		if !c.offline {
			return r, err
		}
		r.Details[report.DetailSkipped] = "fmt, init and validate (--offline, and " + err.Error() + ")"
		return r, nil
	}

	var errs []error
	if c.fmt {
		fmtFindings, err := c.format(ctx, tf, plan, sources)
		r.Findings = append(r.Findings, fmtFindings...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if c.offline {
		r.Details["terraform"] = version.v
		return r, errors.Join(errs...)
	}
	vf, broken, verr := c.validateAll(ctx, tf, w, sources, progress)
	var cyclic []string
	for _, d := range w.dirs {
		if d.root && d.cyclic {
			cyclic = append(cyclic, d.rel)
		}
	}
	for _, s := range []struct {
		dirs []string
		why  string
	}{{broken, "syntax errors"}, {cyclic, "module calls that go round"}} {
		if len(s.dirs) == 0 {
			continue
		}
		skip := "init and validate of " + strings.Join(s.dirs, ", ") + " (" + s.why + ")"
		if prev := r.Details[report.DetailSkipped]; prev != "" {
			skip = prev + ", " + skip
		}
		r.Details[report.DetailSkipped] = skip
	}
	r.Findings = dedupe(append(r.Findings, vf...))
	if err := version.wait(); err != nil {
		// terraform does not run: nothing it said counts.
		return r, err
	}
	r.Details["terraform"] = version.v
	return r, errors.Join(append(errs, verr)...)
}

// narrow keeps, with --changes, only what the change touches: the root
// modules with a changed file in them or in a local module they call, and
// those modules; the rest is neither formatted nor validated, and its
// static findings are dropped. A change that touches none is a skip.
func (c *Check) narrow(w *walker, sources map[*dir][]*source, r *report.Report) error {
	set, err := c.changes.Load()
	if err != nil {
		return cli.Usagef("--changes: %w", err)
	}
	if set == nil {
		return nil
	}
	keep := map[*dir]bool{}
	var kept, left []string
	for _, d := range w.dirs {
		if !d.root {
			continue
		}
		closure := map[*dir]bool{}
		var walk func(d *dir)
		walk = func(d *dir) {
			if d == nil || closure[d] {
				return
			}
			closure[d] = true
			for _, s := range sources[d] {
				for _, child := range s.localModules(d.osPath) {
					walk(w.byOS[child])
				}
			}
		}
		walk(d)
		touched := false
		for m := range closure {
			touched = touched || changedIn(set, m.rel)
		}
		if !touched {
			d.root = false
			left = append(left, d.rel)
			continue
		}
		kept = append(kept, d.rel)
		for m := range closure {
			keep[m] = true
		}
	}
	if len(kept) == 0 {
		return cli.Skipf("the change touches no Terraform root module, nor a module one calls")
	}
	byRel := map[string]*dir{}
	for _, d := range w.dirs {
		byRel[d.rel] = d
	}
	r.Findings = slices.DeleteFunc(r.Findings, func(f report.Finding) bool {
		d := byRel[path.Dir(f.File)]
		return d != nil && !keep[d]
	})
	w.dirs = slices.DeleteFunc(w.dirs, func(d *dir) bool { return !keep[d] })
	slices.Sort(left)
	if len(left) > 0 {
		r.Details["unchanged"] = fmt.Sprintf("%d root modules the change does not touch: %s", len(left), report.Truncate(strings.Join(left, ", "), 500))
	}
	return nil
}

// changedIn: a path the change touched is a file directly in dir (a
// module is its directory's files, not its subdirectories').
func changedIn(set *change.Set, dir string) bool {
	dir = path.Clean(dir)
	for _, p := range set.Paths() {
		if path.Dir(p) == dir {
			return true
		}
	}
	return false
}

// walkPaths finds the Terraform directories under paths, as --include
// and --exclude select them, and the symlinks that lead out of each.
func walkPaths(paths []string, include, exclude cli.List) (*walker, []*tree.Error, error) {
	w := &walker{byOS: map[string]*dir{}}
	var err error
	if w.include, err = globs("--include", include); err != nil {
		return nil, nil, err
	}
	if w.exclude, err = globs("--exclude", exclude); err != nil {
		return nil, nil, err
	}
	var escapes []*tree.Error
	for _, p := range paths {
		if err := w.walk(p); err != nil {
			return nil, nil, err
		}
		esc, err := tree.Escapes(tree.RootFor(".", p), p)
		if err != nil {
			return nil, nil, err
		}
		escapes = append(escapes, esc...)
	}
	return w, escapes, nil
}

func globs(flag string, patterns []string) ([]*glob.Glob, error) {
	var out []*glob.Glob
	for _, g := range patterns {
		r, err := glob.Compile(strings.TrimSuffix(path.Clean(filepath.ToSlash(g)), "/"), true)
		if err != nil {
			return nil, cli.Usagef("%s %q: %w", flag, g, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// scan parses every file found and runs the static rules per directory,
// adding findings to r; it then marks the root modules: module directories
// that no other module uses as a local source.
func (c *Check) scan(w *walker, r *report.Report) map[*dir][]*source {
	sources := map[*dir][]*source{}
	children := map[string]bool{}
	items := 0 // what the sources kept so far may hold (nesting.Items)
	for _, d := range w.dirs {
		for _, f := range d.files {
			if items > MaxRunItems {
				r.Findings = append(r.Findings, report.Finding{Rule: RuleTooLarge, Severity: report.Error, File: path.Join(d.rel, filepath.Base(f)),
					Message: fmt.Sprintf("not checked: the files before it hold about %d values, past the %d one run parses (memory)", items, MaxRunItems)})
				r.Summary.Files++
				continue
			}
			s, fs := parseFile(f, path.Join(d.rel, filepath.Base(f)))
			if s != nil {
				items += s.items
			}
			r.Findings = append(r.Findings, fs...)
			r.Summary.Files++
			if s == nil {
				continue
			}
			sources[d] = append(sources[d], s)
			for _, child := range s.localModules(d.osPath) {
				// A module calling itself is still a root: the call is
				// a round (terraform/module-cycle), not a use.
				children[child] = children[child] || child != d.osPath
			}
		}
		r.Findings = append(r.Findings, staticRules(sources[d])...)
	}
	for _, d := range w.dirs {
		d.root = d.module && (c.allDirs || !children[d.osPath])
	}
	return sources
}

// terraform finds the binary and starts asking its version.
func (c *Check) terraform(ctx context.Context) (Terraform, *versionCall, error) {
	bin, err := FindBinary(c.bin)
	if err != nil {
		return nil, nil, err
	}
	var tf Terraform
	if c.NewTerraform != nil {
		tf = c.NewTerraform(bin)
	} else {
		tf = &Exec{Bin: bin, Env: BaseEnv()}
	}
	v := &versionCall{done: make(chan struct{})}
	go func() {
		defer close(v.done)
		var n string
		if n, v.err = tf.Version(ctx); v.err == nil {
			v.v = filepath.Base(bin) + " " + n
		}
	}()
	return tf, v, nil
}

// versionCall is terraform version under way.
type versionCall struct {
	done chan struct{}
	v    string // "terraform 1.11.4"
	err  error
}

func (v *versionCall) wait() error {
	<-v.done
	return v.err
}

// fmtDir is what the format pass does in one directory: ask terraform fmt
// -check which of its files it would change, or take files, the ones not
// formatted for sure, as the candidates. inProcess holds, for each of
// files formatInProcess can format, its formatted text: worked out once,
// when planning, for needsTerraform and the pass alike.
type fmtDir struct {
	d         *dir
	check     bool
	files     []*source
	inProcess map[*source][]byte
}

// fmtPlan plans the format pass. One terraform fmt -check for a directory
// saves a process per file; but a file hclwrite already changes is one
// terraform fmt changes for sure (it writes hclwrite's format of what it
// rewrites), and each is formatted for its diff anyway. A directory
// holding a file that did not parse is formatted file by file, because
// terraform fmt stops at the first file it cannot parse.
func fmtPlan(w *walker, sources map[*dir][]*source) []fmtDir {
	var plan []fmtDir
	for _, d := range w.dirs {
		ss := sources[d]
		unsure := slices.DeleteFunc(slices.Clone(ss), func(s *source) bool {
			return strings.HasSuffix(s.path, ".json") || formattedForSureParsed(s.text, s.file)
		})
		if len(ss) == len(d.files) && len(unsure) == 0 {
			continue // nothing terraform fmt would change
		}
		// certain: hclwrite changes every unsure file, so terraform fmt does.
		certain, inProcess := true, map[*source][]byte{}
		for _, s := range unsure {
			formatted := hclwrite.Format(s.text)
			if bytes.Equal(formatted, s.text) {
				certain = false
			}
			if out, ok := formatInProcess(s.text, formatted, s.file); ok {
				inProcess[s] = out
			}
		}
		plan = append(plan, fmtDir{d: d, check: len(ss) == len(d.files) && len(unsure) > 1 && !certain, files: unsure, inProcess: inProcess})
	}
	return plan
}

// needsTerraform reports whether the planned pass runs terraform: a
// directory to ask, or a file formatInProcess cannot format.
func needsTerraform(plan []fmtDir) bool {
	for _, p := range plan {
		if p.check || len(p.inProcess) < len(p.files) {
			return true
		}
	}
	return false
}

// format runs the planned pass: each file terraform fmt would change is
// a finding carrying the diff, its formatted text from formatInProcess
// or, when that cannot say, from terraform fmt (tf is nil only when
// needsTerraform said no).
func (c *Check) format(ctx context.Context, tf Terraform, plan []fmtDir, sources map[*dir][]*source) ([]report.Finding, error) {
	var out []report.Finding
	for _, p := range plan {
		candidates := p.files
		if p.check {
			files, err := tf.FormatCheck(ctx, p.d.osPath)
			if err != nil {
				return out, fmt.Errorf("fmt %s: %w", p.d.rel, err)
			}
			candidates = nil
			for _, s := range sources[p.d] {
				if !strings.HasSuffix(s.path, ".json") && slices.Contains(files, path.Base(s.path)) {
					candidates = append(candidates, s)
				}
			}
		}
		for _, s := range candidates {
			// fmt -check lists only files not formatted for sure: p.files.
			formatted, ok := p.inProcess[s]
			if !ok {
				var err error
				if formatted, err = tf.Format(ctx, s.text); err != nil {
					return out, fmt.Errorf("fmt %s: %w", s.path, err)
				}
			}
			// Through stdin terraform fmt ends the text with a newline; on
			// the file itself, fmt -check does not ask for one.
			if bytes.Equal(formatted, s.text) || bytes.Equal(formatted, append(bytes.Clone(s.text), '\n')) {
				continue
			}
			d := diff.Diff(s.path, s.text, s.path+" (terraform fmt)", formatted)
			out = append(out, report.Finding{Rule: RuleFormat, Severity: report.Warning, File: s.path,
				Line: firstChangedLine(s.text, formatted), Message: "not formatted as terraform fmt would write it",
				Snippet: report.Truncate(string(d), 4000), Help: helpBase + "fmt"})
		}
	}
	return out, nil
}

func firstChangedLine(a, b []byte) int {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return i + 1
		}
	}
	return min(len(la), len(lb))
}

// dedupe drops static undeclared-variable findings that terraform validate
// reported too: validate is the authority when it ran.
func dedupe(fs []report.Finding) []report.Finding {
	validated := map[string]bool{}
	for _, f := range fs {
		if f.Rule == RuleValidate {
			validated[fmt.Sprintf("%s:%d", f.File, f.Line)] = true
		}
	}
	return slices.DeleteFunc(fs, func(f report.Finding) bool {
		return f.Rule == RuleUndeclaredVariable && validated[fmt.Sprintf("%s:%d", f.File, f.Line)]
	})
}

// Command is the terraform-validate binary: its image's main, and plumbline check.
func Command() cli.Command {
	return cli.Command{Name: Tool, Synopsis: "[PATH ...]", Summary: "Check every Terraform root module under PATH (default terraform/): syntax, rules, fmt, init and validate.", Check: &Check{}}
}

package terraform

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/plumbline/plumbline/internal/scratch"
	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/report"
)

// validateAll runs init and validate on every root module, c.jobs at a
// time. terraform's plugin cache is not safe for concurrent writers: an
// init that may put a package into the cache runs alone, while inits whose
// providers are all cached already, and every validate, run side by side.
func (c *Check) validateAll(ctx context.Context, tf Terraform, w *walker, sources map[*dir][]*source, progress io.Writer) ([]report.Finding, []string, error) {
	var roots []*dir
	var broken []string
	var large []report.Finding
	var largeErrs []error
	for _, d := range w.dirs {
		switch {
		case !d.root:
		case d.cyclic:
			// The terraform/module-cycle finding says why; init would
			// fail on a path too long, a broken run for a wrong config.
		case len(sources[d]) < len(d.files):
			// terraform init would stop at the same syntax error the HCL
			// pass reported, and say it as a failed install: the finding
			// is already there, and that is exit 1, not a broken run.
			broken = append(broken, d.rel)
		default:
			if n := configItems(d, sources, w.byOS); n > MaxModuleItems {
				msg := fmt.Sprintf("about %d values in its configuration with its local modules: terraform is run on at most %d (it holds some 800 bytes for each: a list of 1,000,000 took 812 MiB); init and validate are not run", n, MaxModuleItems)
				large = append(large, report.Finding{Rule: RuleTooLarge, Severity: report.Error, File: d.rel, Message: msg})
				largeErrs = append(largeErrs, cli.Reported(fmt.Errorf("%s: %s", d.rel, msg)))
				continue
			}
			roots = append(roots, d)
		}
	}
	if len(roots) == 0 {
		return large, broken, errors.Join(largeErrs...)
	}
	tmp, err := os.MkdirTemp("", "terraform-validate-")
	if err != nil {
		return nil, broken, err
	}
	defer os.RemoveAll(tmp)
	var (
		initMu   sync.RWMutex
		outMu    sync.Mutex
		done     int
		wg       sync.WaitGroup
		sem      = make(chan struct{}, c.jobs)
		findings = make([][]report.Finding, len(roots))
		errs     = make([]error, len(roots))
	)
	// Planned up front: providerNeeds may read directories outside the
	// scan and records them in the maps it is given.
	plans := make([]rootPlan, len(roots))
	groups := map[string]*initGroup{}
	inits := 0
	for i, d := range roots {
		p := &plans[i]
		p.need = providerNeeds(d, sources, w.byOS)
		if p.initless = initless(d, sources, p.need); p.initless {
			continue
		}
		key, ok := groupKey(d, p.need)
		switch g := groups[key]; {
		case !ok:
		case g == nil:
			p.leads = &initGroup{done: make(chan struct{})}
			groups[key] = p.leads
		default:
			p.follows = g
			if p.need.modules {
				p.manifest, _ = moduleManifest(d, sources, w.byOS)
			}
			continue
		}
		inits++
	}
	// The plugin cache serves a second init: for one, it is a copy of
	// each provider package more.
	env, pluginDir, err := c.environment(tmp, inits > 1)
	if err != nil {
		return nil, broken, err
	}
	cache := env["TF_PLUGIN_CACHE_DIR"]
	dataDir := func(i int) string { return filepath.Join(tmp, "data", fmt.Sprint(i)) }
	for i, d := range roots {
		p := plans[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A follower waits for its leader's init, outside the
			// semaphore (holding a slot, it could keep its leader from
			// one); shared is whether that init left what it can use.
			shared := false
			if g := p.follows; g != nil {
				select {
				case <-g.done:
					shared = g.ok
				case <-ctx.Done():
				}
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			start := time.Now()
			modEnv := map[string]string{"TF_DATA_DIR": dataDir(i)}
			for k, v := range env {
				modEnv[k] = v
			}
			lock := func() func() {
				initMu.RLock()
				if cache != "" && p.need.known && cached(cache, p.need.addrs) {
					return initMu.RUnlock
				}
				initMu.RUnlock()
				initMu.Lock()
				return initMu.Unlock
			}
			switch {
			case p.initless:
				findings[i], errs[i] = c.validateOne(ctx, tf, d, modEnv, pluginDir, nil, nil)
			case p.leads != nil:
				g := p.leads
				var once sync.Once
				release := func() { once.Do(func() { close(g.done) }) }
				findings[i], errs[i] = c.validateOne(ctx, tf, d, modEnv, pluginDir, lock, func() {
					g.data, g.lock, g.ok = modEnv["TF_DATA_DIR"], readLock(d.osPath), true
					release()
				})
				release()
			case shared:
				var ok bool
				if findings[i], ok = c.validateShared(ctx, tf, d, modEnv, p.follows, p.need.modules, p.manifest); !ok {
					// Not as its leader's init left it: its own init decides.
					modEnv["TF_DATA_DIR"] = dataDir(i) + "-own"
					findings[i], errs[i] = c.validateOne(ctx, tf, d, modEnv, pluginDir, lock, nil)
				}
			default:
				findings[i], errs[i] = c.validateOne(ctx, tf, d, modEnv, pluginDir, lock, nil)
			}
			status := fmt.Sprintf("%d findings", len(findings[i]))
			if errs[i] != nil {
				status = "failed"
			}
			outMu.Lock()
			done++
			fmt.Fprintf(progress, "%s: [%d/%d] %s: %s (%.1fs)\n", Tool, done, len(roots), d.rel, status, time.Since(start).Seconds())
			outMu.Unlock()
		}()
	}
	wg.Wait()
	out := large
	for _, fs := range findings {
		out = append(out, fs...)
	}
	return out, broken, errors.Join(append(largeErrs, errs...)...)
}

// MaxModuleItems bounds the values (nesting.Items) of the configuration
// terraform init and validate are run on, a root module with its local
// modules: terraform holds some 800 bytes for each (measured on lists:
// 200,000 took 200 MiB, 1,000,000 812 MiB), and the one-pod Task gives the
// step 1 GiB for two modules at once.
const MaxModuleItems = 200_000

// RuleTooLarge is a root module terraform is not run on for its size.
const RuleTooLarge = "terraform/too-large"

// configItems counts the values of d's configuration and of the local
// modules it calls, each counted once.
func configItems(d *dir, sources map[*dir][]*source, byOS map[string]*dir) int {
	seen := map[*dir]bool{}
	total := 0
	var walk func(d *dir)
	walk = func(d *dir) {
		if d == nil || seen[d] {
			return
		}
		seen[d] = true
		for _, s := range sources[d] {
			total += s.items
			for _, child := range s.localModules(d.osPath) {
				walk(byOS[child])
			}
		}
	}
	walk(d)
	return total
}

// environment writes the CLI config and picks writable places for what
// terraform keeps, so the check runs under any UID with a read-only HOME;
// with useCache, a plugin cache shared by the inits.
func (c *Check) environment(tmp string, useCache bool) (map[string]string, string, error) {
	cache := ""
	if useCache {
		cache = filepath.Join(tmp, "plugin-cache")
		if err := os.MkdirAll(cache, 0o755); err != nil {
			return nil, "", err
		}
	}
	mirror, pluginDir := "", ""
	var err error
	if c.mirror != "" {
		if mirror, err = filepath.Abs(c.mirror); err != nil {
			return nil, "", err
		}
	}
	if c.pluginDir != "" {
		if pluginDir, err = filepath.Abs(c.pluginDir); err != nil {
			return nil, "", err
		}
	}
	cfg := filepath.Join(tmp, "terraform.tfrc")
	if err := os.WriteFile(cfg, []byte(cliConfig(cache, mirror)), 0o644); err != nil {
		return nil, "", err
	}
	env := map[string]string{"TF_CLI_CONFIG_FILE": cfg}
	if cache != "" {
		env["TF_PLUGIN_CACHE_DIR"] = cache
	}
	if !scratch.Writable(os.Getenv("HOME")) {
		home := filepath.Join(tmp, "home")
		if err := os.MkdirAll(home, 0o755); err != nil {
			return nil, "", err
		}
		env["HOME"] = home
	}
	return env, pluginDir, nil
}

// validateOne runs init (holding what lockInit takes) and validate in d;
// validate alone when lockInit is nil (initless). afterInit, when given,
// runs once init has succeeded, before the lock file is restored.
func (c *Check) validateOne(ctx context.Context, tf Terraform, d *dir, env map[string]string, pluginDir string, lockInit func() (unlock func()), afterInit func()) ([]report.Finding, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	timedOut := func(err error) error {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("%s: timed out after %s (--timeout)", d.rel, c.timeout)
		}
		return fmt.Errorf("%s: %w", d.rel, err)
	}
	if lockInit == nil {
		out, err := tf.Validate(ctx, d.osPath, env)
		if err != nil {
			return nil, timedOut(err)
		}
		return validateFindings(d, out), nil
	}
	// init writes or updates the lock file next to the configuration; the
	// source tree is left as it was found.
	defer keepLockFile(d.osPath)()
	unlock := lockInit()
	err := tf.Init(ctx, d.osPath, env, pluginDir)
	unlock()
	if err != nil {
		var ie *InitError
		if errors.As(err, &ie) && ctx.Err() == nil {
			return []report.Finding{initFinding(d, ie.Output)}, fmt.Errorf("%s: terraform init failed (see the %s finding)", d.rel, RuleInit)
		}
		return nil, timedOut(err)
	}
	if afterInit != nil {
		afterInit()
	}
	out, err := tf.Validate(ctx, d.osPath, env)
	if err != nil {
		return nil, timedOut(err)
	}
	return validateFindings(d, out), nil
}

// rootPlan is how a root module gets what validate needs: without init,
// by leading an init group, by following one, or by its own init.
type rootPlan struct {
	need     needs
	initless bool
	leads    *initGroup // its init serves the group
	follows  *initGroup // it uses its group's init
	manifest []byte     // its module manifest, when it follows and it is known
}

// initGroup is root modules for which terraform init would do the same
// provider work: the same requirements (addresses and constraints, with
// their local modules') and the same lock file, from the same mirror. Its
// first module's init is run; the others reuse the providers it installed
// and the lock file it wrote, and run terraform get for their module
// calls: init's cost once per group, not per module.
type initGroup struct {
	done chan struct{} // closed when the first module's init has ended
	ok   bool          // it succeeded; data and lock are what it left
	data string        // its TF_DATA_DIR
	lock []byte        // its lock file after init (nil: none)
}

// groupKey is what decides init's provider work in d: its requirements
// and its lock file. ok is false when that is not known from the text.
func groupKey(d *dir, n needs) (string, bool) {
	if !n.known || !n.exact {
		return "", false
	}
	lock, err := os.ReadFile(filepath.Join(d.osPath, lockFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", false
	}
	// The lock file's presence is part of the key: an empty one is not
	// the same as none.
	return strings.Join(n.reqs, "\n") + "\x00" + fmt.Sprint(err == nil) + "\x00" + string(lock), true
}

const lockFile = ".terraform.lock.hcl"

// readLock is d's lock file, nil if it has none.
func readLock(dir string) []byte {
	b, err := os.ReadFile(filepath.Join(dir, lockFile))
	if err != nil {
		return nil
	}
	return b
}

// validateShared validates d as its group's first module's init left
// things: that module's providers, its lock file in place of d's (d's is
// restored), and terraform get when d calls modules (or the manifest it
// would write, when known). shared is false
// when get fails or validate finds an error: then d's own init decides,
// so what is reported is what terraform says after d's own init (a
// module that would fail there is never passed here).
func (c *Check) validateShared(ctx context.Context, tf Terraform, d *dir, env map[string]string, g *initGroup, modules bool, manifest []byte) (fs []report.Finding, shared bool) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	restore := keepLockFile(d.osPath)
	defer restore()
	data := env["TF_DATA_DIR"]
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, false
	}
	if err := os.Symlink(filepath.Join(g.data, "providers"), filepath.Join(data, "providers")); err != nil {
		return nil, false
	}
	lock := filepath.Join(d.osPath, lockFile)
	if g.lock == nil {
		if err := os.Remove(lock); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, false
		}
	} else if err := os.WriteFile(lock, g.lock, 0o644); err != nil {
		return nil, false
	}
	switch {
	case manifest != nil:
		if err := os.MkdirAll(filepath.Join(data, "modules"), 0o755); err != nil {
			return nil, false
		}
		if err := os.WriteFile(filepath.Join(data, "modules", "modules.json"), manifest, 0o644); err != nil {
			return nil, false
		}
	case modules:
		if err := tf.Get(ctx, d.osPath, env); err != nil {
			return nil, false
		}
	}
	out, err := tf.Validate(ctx, d.osPath, env)
	if err != nil || !out.Valid || out.ErrorCount > 0 {
		return nil, false
	}
	return validateFindings(d, out), true
}

func validateFindings(d *dir, out *tfjson.ValidateOutput) []report.Finding {
	var fs []report.Finding
	for _, diag := range out.Diagnostics {
		f := report.Finding{Rule: RuleValidate, Severity: report.Error, Message: diagMessage(diag.Summary, diag.Detail), Help: helpBase + "validate"}
		if diag.Severity == tfjson.DiagnosticSeverityWarning {
			f.Severity = report.Warning
		}
		if r := diag.Range; r != nil && r.Filename != "" {
			f.File = path.Clean(path.Join(d.rel, filepath.ToSlash(r.Filename)))
			f.Line, f.Column = r.Start.Line, r.Start.Column
			if r.End.Line >= r.Start.Line {
				f.EndLine, f.EndColumn = r.End.Line, r.End.Column
			}
		} else {
			f.Message = d.rel + ": " + f.Message
		}
		if diag.Snippet != nil {
			f.Snippet = diag.Snippet.Code
		}
		fs = append(fs, f)
	}
	return fs
}

// lockedMismatch is terraform's "locked provider X V does not match
// configured version constraint C" (its words since 0.14).
var lockedMismatch = regexp.MustCompile(`locked provider ([^ ]+) ([^ ]+) does not match configured version constraint (.+?); must use (?:terraform|tofu) init -upgrade`)

var failedProvider = regexp.MustCompile(`(?:for provider|provider) ([a-zA-Z0-9._-]+(?:/[a-zA-Z0-9._-]+){1,2})`)

// initFinding says which provider could not be installed, why, and how to
// make init work offline, in place of terraform's several screens.
func initFinding(d *dir, output string) report.Finding {
	var reasons []string
	for _, block := range strings.Split(output, "Error: ") {
		block = strings.Join(strings.Fields(strings.Trim(block, "╷│╵ \n")), " ")
		block = strings.NewReplacer("│", "", "╵", "", "╷", "").Replace(block)
		if block != "" {
			reasons = append(reasons, strings.TrimSpace(block))
		}
	}
	reason := report.Truncate(strings.Join(reasons, "; "), 1200)
	msg := "terraform init failed for " + d.rel
	advice := "To run without a registry, give a filesystem mirror with --provider-mirror DIR " +
		"(made with `terraform providers mirror DIR` where the registry is reachable) or --plugin-dir DIR; " +
		"or skip init and validate with --offline."
	flat := strings.Join(strings.Fields(strings.NewReplacer("│", " ", "╵", " ", "╷", " ").Replace(output)), " ")
	switch m := failedProvider.FindStringSubmatch(output); {
	case lockedMismatch.MatchString(flat):
		// terraform's own cause, not the registry's: say it and its fix.
		l := lockedMismatch.FindStringSubmatch(flat)
		msg = fmt.Sprintf("the committed .terraform.lock.hcl locks %s %s, which the configuration's constraint %s no longer allows (%s)", l[1], l[2], l[3], d.rel)
		advice = "Run terraform init -upgrade where the registry is reachable and commit the lock file it writes."
		reason = ""
	case strings.Contains(flat, "does not match any of the checksums recorded in the dependency lock file"):
		msg = "a provider package does not match the checksums in the committed .terraform.lock.hcl for " + d.rel
		advice = "The lock file was likely made on another platform: run terraform providers lock -platform=linux_amd64 " +
			"-platform=linux_arm64 (and your laptop's) and commit it."
	case strings.Contains(flat, "Unsupported Terraform Core version"):
		msg = "the configuration's required_version does not allow this terraform for " + d.rel
		advice = "Use a terraform (or tofu) the constraint allows, or change required_version."
	case strings.Contains(flat, "lock.hcl") && (strings.Contains(flat, "Missing required argument") || strings.Contains(flat, "Invalid provider lock file")):
		msg = "the committed .terraform.lock.hcl cannot be read for " + d.rel
		advice = "Fix it, or delete it and run terraform init where the registry is reachable, then commit the new one."
	case strings.Contains(output, "Failed to download module"), strings.Contains(output, "Module not installed"):
		msg = "a module could not be downloaded for " + d.rel
		advice = "init fetches remote modules: vendor the module into the repository and use a local source, " +
			"or skip init and validate with --offline."
	case m != nil:
		msg = fmt.Sprintf("provider %s could not be installed for %s", m[1], d.rel)
	}
	file := d.rel
	for _, f := range d.files {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte("required_providers")) {
			file = path.Join(d.rel, filepath.Base(f))
			break
		}
	}
	if file == d.rel && len(d.files) > 0 {
		file = path.Join(d.rel, filepath.Base(d.files[0]))
	}
	if strings.Contains(msg, ".terraform.lock.hcl") {
		file = path.Join(d.rel, ".terraform.lock.hcl")
	}
	if reason != "" {
		msg += ": " + reason
	}
	return report.Finding{Rule: RuleInit, Severity: report.Error, File: file, Help: helpBase + "init",
		Message: msg + ". " + advice}
}

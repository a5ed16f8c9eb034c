package terraform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/proc"
	"github.com/plumbline/plumbline/pkg/report"
)

// Terraform is the terraform (or tofu) binary as the check drives it. Env
// is the whole environment of each run: the caller's own CLI config, logs
// and workspace settings never leak in.
type Terraform interface {
	Version(ctx context.Context) (string, error)
	// FormatCheck lists the files in dir (not below it) that terraform fmt
	// would change, by base name.
	FormatCheck(ctx context.Context, dir string) ([]string, error)
	// Format returns content as terraform fmt would write it.
	Format(ctx context.Context, content []byte) ([]byte, error)
	Init(ctx context.Context, dir string, env map[string]string, pluginDir string) error
	// Get installs the modules dir calls, as init does, and nothing else.
	Get(ctx context.Context, dir string, env map[string]string) error
	Validate(ctx context.Context, dir string, env map[string]string) (*tfjson.ValidateOutput, error)
}

// Planner is what terraform-plan asks of terraform besides its version.
type Planner interface {
	Version(ctx context.Context) (string, error)
	// InitBackend is init with the configuration's backend, where the
	// state is.
	InitBackend(ctx context.Context, dir string, env map[string]string, pluginDir string) error
	// Plan writes a plan of dir to the file out.
	Plan(ctx context.Context, dir string, env map[string]string, out string) error
	// Show is the plan in out as JSON.
	Show(ctx context.Context, dir string, env map[string]string, out string) ([]byte, error)
}

var _ Planner = (*Exec)(nil)

// PlanError is a terraform run that failed, with what it said.
type PlanError struct {
	Output string
	Err    error
}

func (e *PlanError) Error() string { return e.Err.Error() }
func (e *PlanError) Unwrap() error { return e.Err }

// FindBinary returns the explicit binary if given, else terraform, else tofu
// from PATH.
func FindBinary(explicit string) (string, error) {
	if explicit != "" {
		p, err := exec.LookPath(explicit)
		if err != nil {
			return "", fmt.Errorf("--terraform-bin: %w", err)
		}
		return p, nil
	}
	for _, name := range []string{"terraform", "tofu"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("neither terraform nor tofu is on PATH (set --terraform-bin, or --offline to skip init and validate)")
}

// Exec runs a real binary. Every run is a process group of its own (pkg/proc):
// a timeout ends terraform and the provider plugins it started, at once.
type Exec struct {
	Bin string
	// Env is the base environment of every run (see BaseEnv).
	Env map[string]string
}

var _ Terraform = (*Exec)(nil)

// BaseEnv is what terraform and the provider plugins it starts see of the
// process environment: what a binary needs to run and to reach a registry,
// nothing else. The providers are the repository's choice; the pod's other
// variables (and TF_TOKEN_* registry credentials, TF_VAR_* values) are not
// theirs to read. The caller's Terraform settings are replaced by the
// check's own, and logging is off, as it would pollute what the check reads.
// The garbage collector is set as gcEnv says.
func BaseEnv() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(k) {
		case "PATH", "HOME", "USER", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR",
			"SSL_CERT_FILE", "SSL_CERT_DIR", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
			"TF_REGISTRY_DISCOVERY_RETRY", "TF_REGISTRY_CLIENT_TIMEOUT":
			env[k] = v
		}
	}
	env["CHECKPOINT_DISABLE"] = "1" // no update checks: offline by design
	env["TF_IN_AUTOMATION"] = "1"
	gcEnv(env, os.Getenv, cli.ContainerMemory())
	return env
}

// gcEnv sets how the Go runtimes of terraform and of the providers it
// starts collect garbage. Both build most of what they ever hold at start
// (terraform's function tables and the providers' schemas), and at Go's
// default GOGC of 100 they collect many times on the way: a fifth of
// validate's time on one module (2026-12-07, bench/). At 200 a
// process's heap may grow to three times what it holds rather than two;
// with a container memory limit, GOMEMLIMIT at half of it takes that back
// from a process large enough to need it: one holding less than a quarter
// of the limit collects no more often than at 100, one holding more uses
// no more memory than at 100.
// A GOGC or GOMEMLIMIT the caller set is passed on instead.
func gcEnv(env map[string]string, getenv func(string) string, containerLimit int64) {
	gc, mem := getenv("GOGC"), getenv("GOMEMLIMIT")
	if gc == "" && mem == "" {
		gc = "200"
		if containerLimit > 0 {
			mem = strconv.FormatInt(containerLimit/2, 10)
		}
	}
	if gc != "" {
		env["GOGC"] = gc
	}
	if mem != "" {
		env["GOMEMLIMIT"] = mem
	}
}

// run runs terraform with args in dir, with e.Env and env on top.
func (e *Exec) run(ctx context.Context, dir string, env map[string]string, stdin []byte, args ...string) (proc.Result, error) {
	cmd := proc.Command(ctx, e.Bin, args...)
	cmd.Dir = dir
	merged := maps.Clone(e.Env)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, env)
	for _, k := range slices.Sorted(maps.Keys(merged)) {
		cmd.Env = append(cmd.Env, k+"="+merged[k])
	}
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	res, err := proc.Run(ctx, cmd)
	if err != nil {
		return res, fmt.Errorf("%s %s: %w", filepath.Base(e.Bin), args[0], err)
	}
	return res, nil
}

func (e *Exec) Version(ctx context.Context) (string, error) {
	res, err := e.run(ctx, os.TempDir(), nil, nil, "version", "-json")
	if err != nil {
		return "", err
	}
	var v struct {
		Terraform string `json:"terraform_version"`
	}
	if jerr := json.Unmarshal(res.Stdout, &v); jerr != nil || res.Code != 0 || v.Terraform == "" {
		return "", fmt.Errorf("%s version: exit %d%s", filepath.Base(e.Bin), res.Code, tail(res.Stderr))
	}
	return v.Terraform, nil
}

func (e *Exec) FormatCheck(ctx context.Context, dir string) ([]string, error) {
	res, err := e.run(ctx, dir, nil, nil, "fmt", "-no-color", "-check=true", "-write=false", "-list=true")
	if err != nil {
		return nil, err
	}
	// 0: all formatted; 3: some are not (and are listed); else it failed.
	if res.Code != 0 && res.Code != 3 {
		return nil, fmt.Errorf("fmt -check in %s: exit %d%s", dir, res.Code, tail(res.Stderr))
	}
	var files []string
	for _, f := range strings.Fields(string(res.Stdout)) {
		files = append(files, filepath.Base(f))
	}
	return files, nil
}

func (e *Exec) Format(ctx context.Context, content []byte) ([]byte, error) {
	res, err := e.run(ctx, os.TempDir(), nil, content, "fmt", "-no-color", "-")
	if err != nil {
		return nil, err
	}
	if res.Code != 0 {
		return nil, fmt.Errorf("fmt: exit %d%s", res.Code, tail(res.Stderr))
	}
	return res.Stdout, nil
}

func (e *Exec) Init(ctx context.Context, dir string, env map[string]string, pluginDir string) error {
	args := []string{"init", "-no-color", "-input=false", "-backend=false", "-get=true", "-upgrade=false"}
	if pluginDir != "" {
		args = append(args, "-plugin-dir="+pluginDir)
	}
	res, err := e.run(ctx, dir, env, nil, args...)
	if err != nil {
		return err
	}
	if res.Code != 0 {
		return &InitError{Output: string(res.Stderr), Err: fmt.Errorf("exit status %d", res.Code)}
	}
	return nil
}

func (e *Exec) Get(ctx context.Context, dir string, env map[string]string) error {
	res, err := e.run(ctx, dir, env, nil, "get", "-no-color")
	if err != nil {
		return err
	}
	if res.Code != 0 {
		return fmt.Errorf("get: exit %d%s", res.Code, tail(res.Stderr))
	}
	return nil
}

func (e *Exec) InitBackend(ctx context.Context, dir string, env map[string]string, pluginDir string) error {
	args := []string{"init", "-no-color", "-input=false", "-get=true", "-upgrade=false"}
	if pluginDir != "" {
		args = append(args, "-plugin-dir="+pluginDir)
	}
	return e.planStep(ctx, dir, env, args...)
}

func (e *Exec) Plan(ctx context.Context, dir string, env map[string]string, out string) error {
	// -lock-timeout: a plan waits a while for another run's lock on a
	// shared state rather than failing at once.
	return e.planStep(ctx, dir, env, "plan", "-no-color", "-input=false", "-lock-timeout=60s", "-out="+out)
}

func (e *Exec) planStep(ctx context.Context, dir string, env map[string]string, args ...string) error {
	res, err := e.run(ctx, dir, env, nil, args...)
	if err != nil {
		return err
	}
	if res.Code != 0 {
		return &PlanError{Output: string(res.Stderr), Err: fmt.Errorf("%s: exit status %d", args[0], res.Code)}
	}
	return nil
}

func (e *Exec) Show(ctx context.Context, dir string, env map[string]string, out string) ([]byte, error) {
	res, err := e.run(ctx, dir, env, nil, "show", "-no-color", "-json", out)
	if err != nil {
		return nil, err
	}
	if res.Code != 0 {
		return nil, &PlanError{Output: string(res.Stderr), Err: fmt.Errorf("show: exit status %d", res.Code)}
	}
	if len(res.Stdout) >= proc.MaxOutput {
		// Cut there: what is left would not parse, and says less.
		return nil, fmt.Errorf("show: the plan's JSON is larger than %d MiB: plan fewer resources per root module", proc.MaxOutput>>20)
	}
	return res.Stdout, nil
}

func (e *Exec) Validate(ctx context.Context, dir string, env map[string]string) (*tfjson.ValidateOutput, error) {
	res, err := e.run(ctx, dir, env, nil, "validate", "-no-color", "-json")
	if err != nil {
		return nil, err
	}
	// validate -json exits 1 when the configuration is invalid, and still
	// writes its JSON: only output that does not parse is a failure.
	var out tfjson.ValidateOutput
	if jerr := json.Unmarshal(res.Stdout, &out); jerr != nil || (res.Code != 0 && res.Code != 1) {
		return nil, fmt.Errorf("validate: exit %d%s", res.Code, tail(res.Stderr))
	}
	return &out, nil
}

// InitError carries terraform init's output so the check can say which
// provider failed and why.
type InitError struct {
	Output string
	Err    error
}

func (e *InitError) Error() string { return fmt.Sprintf("init: %v", e.Err) }
func (e *InitError) Unwrap() error { return e.Err }

func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	return ": " + report.TruncateStart(s, 2000)
}

// cliConfig is the CLI configuration the check writes for terraform:
// the plugin cache shared by all modules and, with a mirror, a filesystem
// mirror as the only installation method, so init never reaches a network.
//
// Without plugin_cache_may_break_dependency_lock_file, terraform (1.4+)
// ignores the cache for modules without a lock file and reinstalls the
// package into it, replacing the directory that modules already
// initialised link to while they validate. With it, a package enters the
// cache once and is only linked after that. Lock files are put back as
// they were after each module (validateOne), so nothing is broken.
func cliConfig(cacheDir, mirror string) string {
	var b strings.Builder
	if cacheDir != "" {
		fmt.Fprintf(&b, "plugin_cache_dir = %q\nplugin_cache_may_break_dependency_lock_file = true\n", cacheDir)
	}
	if mirror != "" {
		fmt.Fprintf(&b, "provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror)
	}
	return b.String()
}

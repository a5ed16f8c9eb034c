package terraform

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
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
	Validate(ctx context.Context, dir string, env map[string]string) (*tfjson.ValidateOutput, error)
}

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

// Exec runs a real binary through terraform-exec.
type Exec struct {
	Bin string
	// Env is the base environment of every run (see BaseEnv).
	Env map[string]string

	// terraform-exec runs `terraform version` before most commands and
	// caches the answer per instance; one instance per directory saves
	// that run for every command after the first.
	mu        sync.Mutex
	instances map[string]*tfexec.Terraform
}

var _ Terraform = (*Exec)(nil)

// BaseEnv is the process environment without what terraform-exec manages
// itself and without the caller's Terraform settings, which the check
// replaces with its own.
func BaseEnv() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case k == "TF_CLI_CONFIG_FILE", k == "TF_DATA_DIR", k == "TF_PLUGIN_CACHE_DIR",
			k == "TERRAFORM_CONFIG", strings.HasPrefix(k, "TF_CLI_ARGS"):
			continue
		}
		env[k] = v
	}
	env["CHECKPOINT_DISABLE"] = "1" // no update checks: offline by design
	return tfexec.CleanEnv(env)
}

// tf returns the instance for dir. Callers use one directory from one
// goroutine at a time, so setting its env and stderr per call is safe.
func (e *Exec) tf(dir string, env map[string]string) (*tfexec.Terraform, *bytes.Buffer, error) {
	e.mu.Lock()
	tf, ok := e.instances[dir]
	if !ok {
		var err error
		if tf, err = tfexec.NewTerraform(dir, e.Bin); err != nil {
			e.mu.Unlock()
			return nil, nil, err
		}
		if e.instances == nil {
			e.instances = map[string]*tfexec.Terraform{}
		}
		e.instances[dir] = tf
	}
	e.mu.Unlock()
	merged := map[string]string{}
	for k, v := range e.Env {
		merged[k] = v
	}
	for k, v := range env {
		merged[k] = v
	}
	if err := tf.SetEnv(merged); err != nil {
		return nil, nil, err
	}
	var stderr bytes.Buffer
	tf.SetStderr(&stderr)
	return tf, &stderr, nil
}

func (e *Exec) Version(ctx context.Context) (string, error) {
	tf, _, err := e.tf(os.TempDir(), nil)
	if err != nil {
		return "", err
	}
	v, _, err := tf.Version(ctx, true)
	if err != nil {
		return "", fmt.Errorf("%s version: %w", filepath.Base(e.Bin), err)
	}
	return v.String(), nil
}

func (e *Exec) FormatCheck(ctx context.Context, dir string) ([]string, error) {
	tf, stderr, err := e.tf(dir, nil)
	if err != nil {
		return nil, err
	}
	_, files, err := tf.FormatCheck(ctx)
	if err != nil {
		return nil, fmt.Errorf("fmt -check in %s: %w%s", dir, err, tail(stderr))
	}
	for i, f := range files {
		files[i] = filepath.Base(f)
	}
	return files, nil
}

func (e *Exec) Format(ctx context.Context, content []byte) ([]byte, error) {
	tf, stderr, err := e.tf(os.TempDir(), nil)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := tf.Format(ctx, bytes.NewReader(content), &out); err != nil {
		return nil, fmt.Errorf("fmt: %w%s", err, tail(stderr))
	}
	return out.Bytes(), nil
}

func (e *Exec) Init(ctx context.Context, dir string, env map[string]string, pluginDir string) error {
	tf, stderr, err := e.tf(dir, env)
	if err != nil {
		return err
	}
	opts := []tfexec.InitOption{tfexec.Backend(false), tfexec.Upgrade(false)}
	if pluginDir != "" {
		opts = append(opts, tfexec.PluginDir(pluginDir))
	}
	if err := tf.Init(ctx, opts...); err != nil {
		return &InitError{Output: stderr.String(), Err: err}
	}
	return nil
}

func (e *Exec) Validate(ctx context.Context, dir string, env map[string]string) (*tfjson.ValidateOutput, error) {
	tf, stderr, err := e.tf(dir, env)
	if err != nil {
		return nil, err
	}
	out, err := tf.Validate(ctx)
	if err != nil {
		return nil, fmt.Errorf("validate: %w%s", err, tail(stderr))
	}
	return out, nil
}

// InitError carries terraform init's output so the check can say which
// provider failed and why.
type InitError struct {
	Output string
	Err    error
}

func (e *InitError) Error() string { return fmt.Sprintf("init: %v", e.Err) }
func (e *InitError) Unwrap() error { return e.Err }

func tail(b *bytes.Buffer) string {
	s := strings.TrimSpace(b.String())
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
	fmt.Fprintf(&b, "plugin_cache_dir = %q\nplugin_cache_may_break_dependency_lock_file = true\n", cacheDir)
	if mirror != "" {
		fmt.Fprintf(&b, "provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror)
	}
	return b.String()
}

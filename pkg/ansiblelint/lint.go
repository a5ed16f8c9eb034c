package ansiblelint

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/plumbline/plumbline/pkg/proc"
	"github.com/plumbline/plumbline/pkg/report"
)

// Linter is ansible-lint as the check drives it.
type Linter interface {
	// Versions returns ansible-lint's and ansible-core's versions.
	Versions(ctx context.Context) (lint, core string, err error)
	// Lint runs ansible-lint as job says.
	Lint(ctx context.Context, job Job) (Result, error)
	// SyntaxCheck runs ansible-playbook --syntax-check on playbook in dir,
	// as ansible-lint does: what it says when ansible-lint only reports
	// the exit code.
	SyntaxCheck(ctx context.Context, dir, playbook string, env []string) (Result, error)
}

// Job is one run of ansible-lint: in Dir, with Args and the whole
// environment Env.
type Job struct {
	Dir       string
	Args, Env []string
	// Playbooks are those the run's syntax check will likely ask for,
	// named as ansible-lint names them (relative to Dir): the launcher
	// starts those checks early. A hint: one missing or extra changes
	// nothing but the time.
	Playbooks []string
}

// Result is one run of ansible-lint.
type Result struct {
	Stdout, Stderr []byte
	Code           int
	// Lint and Core are the versions of ansible-lint and ansible-core the
	// launcher found, when it says them (SaysVersions); else empty.
	Lint, Core string
}

// ansible-lint's exit codes (ansiblelint/constants.py).
const (
	rcSuccess       = 0
	rcViolations    = 2
	rcInvalidConfig = 3
	rcLockTimeout   = 4
)

// Exec runs a real ansible-lint binary.
type Exec struct {
	Bin string
	// Script runs the binary as it is, never through launch.py.
	Script bool
}

// launcher runs ansible-lint with the Ansible commands ansible-compat
// runs at start-up (or without ansible --version, when its answer is
// provably the ansible.release ansible-lint imports), and the syntax
// checks of Job.Playbooks, started beside its import (launch.py): 1.45 s
// became 1.05 s on examples/homelab, then 0.965 s, the same output byte
// for byte.
//
//go:embed launch.py
var launcher []byte

var _ Linter = (*Exec)(nil)

// FindBinary returns the explicit binary, else ansible-lint from PATH.
func FindBinary(explicit string) (string, error) {
	name := explicit
	if name == "" {
		name = "ansible-lint"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		if explicit != "" {
			return "", fmt.Errorf("--ansible-lint-bin: %w", err)
		}
		return "", errors.New("ansible-lint is not on PATH (install it, e.g. apt-get install ansible-lint, or set --ansible-lint-bin)")
	}
	return p, nil
}

// Versions asks ansible-lint's own Python interpreter for the package
// versions (0.1 s); `ansible-lint --version` takes over a second, which
// would be most of the wrapper's cost. It falls back to that when the
// binary is not a Python script.
func (e *Exec) Versions(ctx context.Context) (string, string, error) {
	const query = `import importlib.metadata as m; print(m.version("ansible-lint"), m.version("ansible-core"))`
	if interp := shebang(e.Bin); len(interp) > 0 {
		args := append(append([]string{}, interp[1:]...), "-I", "-c", query)
		res, err := proc.Run(ctx, proc.Command(ctx, interp[0], args...))
		out := res.Stdout
		if err == nil && res.Code != 0 {
			err = fmt.Errorf("exit %d", res.Code)
		}
		if f := strings.Fields(string(out)); err == nil && len(f) == 2 {
			return f[0], f[1], nil
		}
	}
	cmd := proc.Command(ctx, e.Bin, "--version", "--nocolor")
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	res, err := proc.Run(ctx, cmd)
	if err == nil && res.Code != 0 {
		err = fmt.Errorf("exit %d", res.Code)
	}
	if err != nil {
		return "", "", fmt.Errorf("ansible-lint --version: %w", err)
	}
	out := res.Stdout
	m := versionLine.FindStringSubmatch(string(out))
	if m == nil {
		return "", "", fmt.Errorf("ansible-lint --version: unexpected output %q", firstLine(string(out)))
	}
	return m[1], m[2], nil
}

// saidVersions reads the launcher's versions file: "LINT CORE". It is
// written before ansible-lint runs, but by a process that may go on to load
// the repository's plugins: only what looks like two versions is taken.
func saidVersions(b []byte) (lint, core string) {
	if f := strings.Fields(string(b)); len(f) == 2 && versionToken.MatchString(f[0]) && versionToken.MatchString(f[1]) {
		return f[0], f[1]
	}
	return "", ""
}

var versionToken = regexp.MustCompile(`^[0-9][0-9A-Za-z.+_-]{0,63}$`)

var versionLine = regexp.MustCompile(`ansible-lint ([0-9][^\s]*) using ansible(?:-core)? ([0-9][^\s]*)`)

// shebang returns the interpreter command line of a script.
func shebang(bin string) []string {
	f, err := os.Open(bin)
	if err != nil {
		return nil
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "#!") || !strings.Contains(line, "python") {
		return nil
	}
	return strings.Fields(strings.TrimPrefix(line, "#!"))
}

// SaysVersions reports whether Lint's results carry the versions: the
// launcher reads them, so Versions need not start a Python of its own.
func (e *Exec) SaysVersions() bool { return len(e.interpreter()) > 0 }

// interpreter is the command line of the Python that runs ansible-lint
// through the launcher; nil: the binary runs as it is.
func (e *Exec) interpreter() []string {
	if e.Script {
		return nil
	}
	return shebang(e.Bin)
}

func (e *Exec) Lint(ctx context.Context, job Job) (Result, error) {
	cmd := proc.Command(ctx, e.Bin, job.Args...)
	env, versions := job.Env, ""
	if interp := e.interpreter(); len(interp) > 0 {
		// The launcher in a directory of its own: Python puts a script's
		// directory first on its path, and the repository (the working
		// directory) must not be there, as it is not for the script.
		tmp, err := os.MkdirTemp("", "ansible-lint-")
		if err != nil {
			return Result{}, err
		}
		defer os.RemoveAll(tmp)
		script := filepath.Join(tmp, "launch.py")
		if err := os.WriteFile(script, launcher, 0o400); err != nil {
			return Result{}, err
		}
		args := append(slices.Clone(interp[1:]), script)
		for _, p := range job.Playbooks {
			args = append(args, "--syntax-check", p)
		}
		cmd = proc.Command(ctx, interp[0], append(append(args, e.Bin), job.Args...)...)
		if env == nil {
			env = os.Environ()
		}
		versions = filepath.Join(tmp, "versions")
		env = append(slices.Clone(env), "PLUMBLINE_LAUNCH_VERSIONS="+versions)
	}
	cmd.Dir, cmd.Env = job.Dir, env
	res, err := proc.Run(ctx, cmd)
	out := Result{Stdout: res.Stdout, Stderr: res.Stderr, Code: res.Code}
	if versions != "" {
		if b, err := os.ReadFile(versions); err == nil {
			out.Lint, out.Core = saidVersions(b)
		}
	}
	return out, err
}

// SyntaxCheck runs the ansible-playbook beside the ansible-lint binary
// (else on PATH) as ansible-lint's syntax check does.
func (e *Exec) SyntaxCheck(ctx context.Context, dir, playbook string, env []string) (Result, error) {
	bin := filepath.Join(filepath.Dir(e.Bin), "ansible-playbook")
	if _, err := os.Stat(bin); err != nil {
		if bin, err = exec.LookPath("ansible-playbook"); err != nil {
			return Result{}, err
		}
	}
	cmd := proc.Command(ctx, bin, "-i", "localhost,", "--syntax-check", playbook)
	cmd.Dir, cmd.Env = dir, append(slices.Clone(env), "ANSIBLE_NOCOLOR=1", "ANSIBLE_FORCE_COLOR=0")
	res, err := proc.Run(ctx, cmd)
	return Result{Stdout: res.Stdout, Stderr: res.Stderr, Code: res.Code}, err
}

// issue is one entry of ansible-lint's codeclimate output.
type issue struct {
	CheckName   string `json:"check_name"`
	Level       string `json:"level"`
	Severity    string `json:"severity"`
	URL         string `json:"url"`
	Description string `json:"description"`
	Location    struct {
		Path  string `json:"path"`
		Lines struct {
			Begin int `json:"begin"`
		} `json:"lines"`
		Positions struct {
			Begin struct {
				Line   int `json:"line"`
				Column int `json:"column"`
			} `json:"begin"`
		} `json:"positions"`
	} `json:"location"`
	Content struct {
		Body string `json:"body"`
	} `json:"content"`
}

// findings maps codeclimate issues to findings; prefix is the linted
// directory relative to the scanned root.
func findings(stdout []byte, prefix string) ([]report.Finding, error) {
	var issues []issue
	if err := json.Unmarshal(bytes.TrimSpace(stdout), &issues); err != nil {
		return nil, fmt.Errorf("read ansible-lint's codeclimate output: %w (output starts %q)", err, firstLine(string(stdout)))
	}
	out := make([]report.Finding, 0, len(issues))
	for _, is := range issues {
		f := report.Finding{
			Rule:     "ansible-lint/" + is.CheckName,
			Severity: report.Error,
			Message:  unescape(is.Description),
			File:     path.Clean(path.Join(prefix, is.Location.Path)),
			Line:     is.Location.Lines.Begin,
			Help:     is.URL,
			Snippet:  is.Content.Body,
		}
		if p := is.Location.Positions.Begin; p.Line > 0 {
			f.Line, f.Column = p.Line, p.Column
		}
		// ansible-lint's level is error or warning (warn_list, experimental
		// rules); its codeclimate severity only says how bad the rule is.
		if is.Level == "warning" {
			f.Severity = report.Warning
		}
		out = append(out, f)
	}
	return out, nil
}

// unescape undoes the markup escaping ansible-lint applies for its
// console ("\[" in "one of \[false, true]").
func unescape(s string) string { return strings.ReplaceAll(s, `\[`, "[") }

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	if len(line) > 200 {
		line = line[:200] + "…"
	}
	return line
}

// summarize keeps the end of ansible-lint's stderr, where the reason is.
func summarize(stderr []byte) string {
	lines := strings.Split(strings.TrimSpace(string(stderr)), "\n")
	if len(lines) > 8 {
		lines = lines[len(lines)-8:]
	}
	return report.TruncateStart(strings.Join(lines, " | "), 1500)
}

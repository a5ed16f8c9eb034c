package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/plumbline/plumbline/pkg/config"
	"github.com/plumbline/plumbline/pkg/report"
)

// Configurable is a check with settings a flag cannot carry (dns-zone-diff's
// zones, each with its live sources); Main hands it the config after the
// config's flag values are set.
type Configurable interface {
	Configure(c *config.Config) error
}

// Defaulter is a check whose default paths are the repository's layout
// (terraform/, ansible/): where none of them exists, the check is skipped,
// not failed, since the part is simply not there.
type Defaulter interface {
	DefaultPaths() []string
}

// SkipError ends a check that found nothing to check where it was told to
// look by default: its report says skipped, and why, and it passes.
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// Skipf returns a *SkipError.
func Skipf(format string, args ...any) error {
	return &SkipError{fmt.Sprintf(format, args...)}
}

// loadConfig reads --config FILE, or (with search) .plumbline.yaml in the
// working directory when there is one; nil when there is none. With sum,
// the config must be the one the fetch step recorded (config.LoadPinned):
// then FILE need not exist when sum says there was none.
func loadConfig(file, sum string, search bool) (*config.Config, error) {
	if sum != "" {
		if file == "" && search {
			file = config.FileName
		}
		if file == "" {
			return nil, Usagef("--config-sha256 needs --config")
		}
		return config.LoadPinned(file, sum)
	}
	if file == "" && !search {
		return nil, nil
	}
	f, err := config.Find(file, ".")
	if err != nil {
		return nil, Usagef("--config: %w", err)
	}
	if f == "" {
		return nil, nil
	}
	return config.Load(f)
}

// Floorer is a check that holds its run to a threshold of its own besides
// --fail-on, the higher of the two deciding: report with the base branch's
// config, which a pull request may not lower. cfg is the run's config (nil
// for none).
type Floorer interface {
	Floor(cfg *config.Config) (report.Threshold, error)
}

// applyConfig sets each flag the config gives tool a value for, unless the
// flag was given (flag > config > default), and returns the paths: the
// arguments if any, else the config's.
func applyConfig(fs *flag.FlagSet, tool string, c *config.Config, paths []string) ([]string, error) {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	for _, s := range c.Settings(tool) {
		if s.Flag == "" {
			if len(paths) == 0 {
				paths = s.Values
			}
			continue
		}
		if given[s.Flag] || fs.Lookup(s.Flag) == nil {
			continue
		}
		for _, v := range s.Values {
			if err := fs.Set(s.Flag, v); err != nil {
				errs = append(errs, c.Errorf(s.Key, "%v", err))
				break
			}
		}
	}
	return paths, errors.Join(errs...)
}

// dropEmpty removes flags given an empty value (--fail-on= or --fail-on "")
// and empty arguments: a Task passes every param, and an empty one means
// "not set here", so the config or the default applies.
func dropEmpty(fs *flag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			for _, p := range args[i:] {
				if p != "" {
					out = append(out, p)
				}
			}
			return out
		}
		if a == "" {
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") {
			if hasValue && value == "" {
				continue
			}
			if f := fs.Lookup(name); !hasValue && f != nil && !isBool(f) && i+1 < len(args) && args[i+1] == "" {
				i++
				continue
			}
		}
		out = append(out, a)
	}
	return out
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// absent reports whether none of paths exists.
func absent(paths []string) bool {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return false
		}
	}
	return true
}

// setup is a check made ready to run: its flags hold the config's
// values, its paths are decided, or it is skipped and why.
type setup struct {
	cfg       *config.Config
	paths     []string
	defaulted bool
	skip      string
}

// prepare applies the config and the defaults to cmd's parsed flags.
func prepare(fs *flag.FlagSet, cmd Command, cfg *config.Config, paths []string) (*setup, error) {
	st := &setup{cfg: cfg}
	if cfg != nil {
		var err error
		if paths, err = applyConfig(fs, cmd.FileName(), cfg, paths); err != nil {
			return nil, err
		}
		if !cfg.Enabled(cmd.FileName()) {
			st.skip = "disabled in " + cfg.File
		}
	}
	st.defaulted = len(paths) == 0
	if st.defaulted {
		paths = []string{"."}
		if d, ok := cmd.Check.(Defaulter); ok {
			paths = d.DefaultPaths()
			if st.skip == "" && absent(paths) {
				st.skip = fmt.Sprintf("no %s here (the default; name a PATH, or paths in %s)", strings.Join(paths, ", "), config.FileName)
			}
		}
	}
	st.paths = paths
	return st, nil
}

// run runs the check (req gets the paths and the config), or returns the
// report of a skipped one; a check that returns Skipf is skipped too.
func (st *setup) run(ctx context.Context, cmd Command, req Request) (*report.Report, error) {
	if st.skip != "" {
		return &report.Report{Skipped: st.skip}, nil
	}
	if c, ok := cmd.Check.(Configurable); ok && st.cfg != nil {
		if err := c.Configure(st.cfg); err != nil {
			return nil, err
		}
	}
	req.Paths, req.Defaulted, req.Config = st.paths, st.defaulted, st.cfg
	r, err := cmd.Check.Run(ctx, req)
	if se := (*SkipError)(nil); errors.As(err, &se) {
		if r == nil {
			r = &report.Report{}
		}
		r.Skipped, err = se.Reason, nil
	}
	return r, err
}

// Embedded runs cmd's check in this process as Main would in the working
// directory, with cfg's settings and nothing of the contract (no output,
// no results): plumbline check runs every check this way, at once. The
// report comes back finished, at failOn.
func Embedded(ctx context.Context, cmd Command, cfg *config.Config, args []string, req Request) (*report.Report, error) {
	fs := flag.NewFlagSet(cmd.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cmd.Check.Flags(fs)
	paths, err := parse(fs, dropEmpty(fs, args))
	var r *report.Report
	if err != nil {
		err = &UsageError{err}
	} else {
		var st *setup
		if st, err = prepare(fs, cmd, cfg, paths); err == nil {
			r, err = st.run(ctx, cmd, req)
			paths = st.paths
		}
	}
	return finished(r, err, cmd, "", req.FailOn, paths)
}

func absolute(p string) string {
	if p == "" {
		return ""
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

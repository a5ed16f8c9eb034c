package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/plumbline/plumbline/pkg/config"
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

// loadConfig reads --config FILE, or .plumbline.yaml in the working
// directory when there is one; nil when there is none.
func loadConfig(file string) (*config.Config, error) {
	f, err := config.Find(file, ".")
	if err != nil {
		return nil, Usagef("--config: %w", err)
	}
	if f == "" {
		return nil, nil
	}
	return config.Load(f)
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

package merge

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/report"
)

// Tool is the name the merged report carries.
const Tool = "report"

// maxReportSize guards against reading something that is not a report.
const maxReportSize = 256 << 20

// Check merges reports; it implements cli.Check.
type Check struct {
	missing string
}

var _ cli.Check = (*Check)(nil)

func (c *Check) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.missing, "missing", "warning", "`SEVERITY` of a report that does not exist (a check that did not run): error, warning or note")
}

func (c *Check) Run(ctx context.Context, req cli.Request) (*report.Report, error) {
	missing, err := report.ParseSeverity(c.missing)
	if err != nil {
		return nil, fmt.Errorf("usage: --missing: %w", err)
	}
	inputs := Inputs(req.Paths)
	r := report.Merge(inputs, report.MergeOptions{Tool: Tool, Missing: missing, FailOn: req.FailOn})
	var bad []error
	for _, in := range inputs {
		if in.Err != nil {
			bad = append(bad, fmt.Errorf("unreadable report: %w", in.Err))
		}
	}
	return r, errors.Join(bad...)
}

// Inputs expands each argument into the reports it names: a file, a glob,
// or a directory (its *.json files, not recursive). An argument that names
// nothing becomes a missing input, never a silent skip.
func Inputs(args []string) []report.Input {
	var inputs []report.Input
	seen := map[string]bool{}
	add := func(file string) {
		if clean := filepath.Clean(file); !seen[clean] {
			seen[clean] = true
			inputs = append(inputs, read(file))
		}
	}
	for _, arg := range args {
		files, err := expand(arg)
		switch {
		case err != nil:
			inputs = append(inputs, report.Input{Source: arg, Err: err})
		case len(files) == 0:
			inputs = append(inputs, report.Input{Source: arg})
		}
		for _, f := range files {
			add(f)
		}
	}
	return inputs
}

func expand(arg string) ([]string, error) {
	if strings.ContainsAny(arg, "*?[") {
		files, err := filepath.Glob(arg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", arg, err)
		}
		slices.Sort(files)
		return files, nil
	}
	fi, err := os.Stat(arg)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	case fi.IsDir():
		files, err := filepath.Glob(filepath.Join(arg, "*.json"))
		if err != nil {
			return nil, err
		}
		slices.Sort(files)
		return files, nil
	}
	return []string{arg}, nil
}

func read(file string) report.Input {
	in := report.Input{Source: filepath.ToSlash(file)}
	fi, err := os.Stat(file)
	if err == nil && fi.Size() > maxReportSize {
		err = fmt.Errorf("%s: %d bytes is larger than any report (limit %d)", file, fi.Size(), maxReportSize)
	}
	var data []byte
	if err == nil {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		in.Err = err
		return in
	}
	in.Report, in.Err = report.Decode(in.Source, data)
	return in
}

package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Writer renders a report in one format.
type Writer interface {
	Write(w io.Writer, r *Report) error
}

// Options tune writers; the zero value is a sensible default.
type Options struct {
	// Color enables ANSI colour in the text format; callers set it only when
	// the output is a terminal.
	Color bool
}

var writers = map[string]func(Options) Writer{
	"text":       func(o Options) Writer { return &Text{Color: o.Color} },
	"json":       func(Options) Writer { return &JSON{} },
	"sarif":      func(Options) Writer { return &SARIF{} },
	"junit":      func(Options) Writer { return &JUnit{} },
	"markdown":   func(Options) Writer { return &Markdown{} },
	"github":     func(Options) Writer { return &GitHub{} },
	"prometheus": func(Options) Writer { return &Prometheus{} },
}

// Formats lists the names NewWriter accepts, sorted.
func Formats() []string {
	names := make([]string, 0, len(writers))
	for n := range writers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// NewWriter returns the writer for a format name. An unknown name is an
// error, never a silent fallback to another format.
func NewWriter(format string, opts Options) (Writer, error) {
	mk, ok := writers[format]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats(), ", "))
	}
	return mk(opts), nil
}

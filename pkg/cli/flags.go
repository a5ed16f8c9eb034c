package cli

import (
	"fmt"
	"strings"

	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/results"
)

type reportSpec struct{ format, file string }

// reportSpecs is the repeatable --report FORMAT=FILE flag; formats are
// checked while parsing so a typo fails before any work is done.
type reportSpecs []reportSpec

func (s *reportSpecs) String() string {
	parts := make([]string, len(*s))
	for i, r := range *s {
		parts[i] = r.format + "=" + r.file
	}
	return strings.Join(parts, ",")
}

func (s *reportSpecs) Set(v string) error {
	format, file, ok := strings.Cut(v, "=")
	if !ok || format == "" || file == "" {
		return fmt.Errorf("want FORMAT=FILE, got %q", v)
	}
	if _, err := report.NewWriter(format, report.Options{}); err != nil {
		return err
	}
	*s = append(*s, reportSpec{format: format, file: file})
	return nil
}

// resultFiles is the repeatable --result NAME=FILE flag: where each Tekton
// step result goes.
type resultFiles map[string]string

func (m *resultFiles) String() string {
	var parts []string
	for name, file := range *m {
		parts = append(parts, name+"="+file)
	}
	return strings.Join(parts, ",")
}

func (m *resultFiles) Set(v string) error {
	name, file, ok := strings.Cut(v, "=")
	if !ok || name == "" || file == "" {
		return fmt.Errorf("want NAME=FILE, got %q", v)
	}
	if !results.Known(name) {
		return fmt.Errorf("%q is not a result name", name)
	}
	if *m == nil {
		*m = resultFiles{}
	}
	(*m)[name] = file
	return nil
}

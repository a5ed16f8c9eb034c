package cli

import (
	"fmt"
	"strings"

	"github.com/plumbline/plumbline/pkg/report"
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

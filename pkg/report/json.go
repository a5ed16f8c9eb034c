package report

import (
	"encoding/json"
	"io"
)

// JSON writes the report schema of docs/report-format.md, indented, with a
// trailing newline. It is the input format of the report command.
type JSON struct{}

var _ Writer = (*JSON)(nil)

func (*JSON) Write(w io.Writer, r *Report) error {
	out := *r
	if out.Findings == nil {
		out.Findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(&out)
}

package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
)

// JSON writes the report schema of docs/report-format.md, indented, with a
// trailing newline. It is the input format of the report command.
type JSON struct{}

var _ Writer = (*JSON)(nil)

// findingsKey is how the encoder writes an empty findings list at the top
// level of a report: the newline and indentation cannot occur inside a
// string, which would be escaped.
var findingsKey = []byte("\n  \"findings\": []")

// Write streams the findings one at a time: encoding a merged report of
// 40,000 findings whole, then indenting it, held three copies of it.
func (*JSON) Write(w io.Writer, r *Report) error {
	out := *r
	out.Findings = []Finding{}
	var head bytes.Buffer
	enc := json.NewEncoder(&head)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&out); err != nil {
		return err
	}
	at := bytes.Index(head.Bytes(), findingsKey)
	if len(r.Findings) == 0 || at < 0 {
		_, err := w.Write(head.Bytes())
		return err
	}
	split := at + len(findingsKey) - 1 // before the closing ]
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(head.Bytes()[:split])
	var one bytes.Buffer
	fenc := json.NewEncoder(&one)
	fenc.SetIndent("    ", "  ")
	fenc.SetEscapeHTML(false)
	for i := range r.Findings {
		one.Reset()
		if err := fenc.Encode(&r.Findings[i]); err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(bytes.TrimSuffix(one.Bytes(), []byte("\n")))
	}
	bw.WriteString("\n  ")
	bw.Write(head.Bytes()[split:])
	return bw.Flush()
}

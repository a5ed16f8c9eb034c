package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// GitHub writes workflow commands (::error file=…::msg) that GitHub Actions
// turns into annotations on the pull request.
type GitHub struct{}

var _ Writer = (*GitHub)(nil)

var ghCommand = map[Severity]string{Error: "error", Warning: "warning", Note: "notice"}

// Workflow commands are percent-encoded: the data part needs %, CR and LF
// escaped, properties also : and , (actions/toolkit command.ts).
var (
	ghData     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func (*GitHub) Write(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	for _, f := range r.Findings {
		var props []string
		if f.File != "" {
			props = append(props, "file="+ghProperty.Replace(f.File))
			if f.Line > 0 {
				props = append(props, fmt.Sprintf("line=%d", f.Line))
				if f.EndLine > f.Line {
					props = append(props, fmt.Sprintf("endLine=%d", f.EndLine))
				}
				if f.Column > 0 {
					props = append(props, fmt.Sprintf("col=%d", f.Column))
					// GitHub accepts endColumn only on single-line annotations.
					if f.EndColumn > f.Column && f.EndLine <= f.Line {
						props = append(props, fmt.Sprintf("endColumn=%d", f.EndColumn))
					}
				}
			}
		}
		props = append(props, "title="+ghProperty.Replace(r.ToolOf(f)+": "+f.Rule))
		fmt.Fprintf(bw, "::%s %s::%s\n", ghCommand[f.Severity], strings.Join(props, ","), ghData.Replace(f.Message))
	}
	fmt.Fprintf(bw, "::notice title=%s::%s\n", ghProperty.Replace(r.Tool), ghData.Replace(Counts(r.Summary, len(r.Checks))))
	return bw.Flush()
}

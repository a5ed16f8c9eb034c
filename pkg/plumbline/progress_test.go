package plumbline

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/plumbline/plumbline/pkg/report"
)

// TestProgress: a status line while checks run, a line as each ends with
// how it ended, and nothing at all without a terminal.
func TestProgress(t *testing.T) {
	var term bytes.Buffer // every write is under the progress's lock
	p := newProgress(&term)
	done1 := p.start("terraform-validate")
	done2 := p.start("ansible-lint-check")
	pass := &report.Report{Summary: report.Summary{Passed: true}}
	done1(pass, nil)
	done2(&report.Report{}, errors.New("ansible-lint \x1b[31mcrashed"))
	p.stop()
	out := term.String()
	for _, want := range []string{
		"running: ansible-lint-check 0.0s · terraform-validate 0.0s",
		"✓ terraform-validate (0s): 0 errors, 0 warnings, 0 notes in 0 files\n",
		`! ansible-lint-check (0s): could not finish: ansible-lint \x1b[31mcrashed` + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in %q", want, out)
		}
	}
	if !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("the status line is not cleared at the end: %q", out)
	}
	// No terminal: nothing is drawn, and nothing blocks.
	q := newProgress(nil)
	q.start("x")(pass, nil)
	q.stop()
}

package merge

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/plumbline/plumbline/pkg/clitest"
	"github.com/plumbline/plumbline/pkg/report"
)

func TestInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("r/a.json", `{"tool":"a","findings":[]}`)
	write("r/b.json", `{"tool":"b","findings":[]}`)
	write("r/notes.txt", `x`)
	write("bad.json", `{"tool":"c"}`)
	write("empty/.keep", ``)
	in := func(p string) string { return filepath.ToSlash(filepath.Join(dir, p)) }

	inputs := Inputs([]string{
		filepath.Join(dir, "r"),             // a directory: a.json, b.json
		filepath.Join(dir, "r", "a.json"),   // named again: not read twice
		filepath.Join(dir, "r", "*.json"),   // a glob matching both again
		filepath.Join(dir, "missing.json"),  // not there
		filepath.Join(dir, "empty"),         // a directory without reports
		filepath.Join(dir, "nothing*.json"), // a glob matching nothing
		filepath.Join(dir, "bad.json"),      // not a report
	})
	type row struct {
		Source, Tool string
		Err          bool
	}
	var got []row
	for _, i := range inputs {
		r := row{Source: i.Source, Err: i.Err != nil}
		if i.Report != nil {
			r.Tool = i.Report.Tool
		}
		got = append(got, r)
	}
	want := []row{
		{Source: in("r/a.json"), Tool: "a"},
		{Source: in("r/b.json"), Tool: "b"},
		{Source: filepath.Join(dir, "missing.json")},
		{Source: filepath.Join(dir, "empty")},
		{Source: filepath.Join(dir, "nothing*.json")},
		{Source: in("bad.json"), Err: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var pe *report.ParseError
	if err := inputs[5].Err; !errors.As(err, &pe) || pe.Msg != `missing "findings": not a Plumbline report` {
		t.Errorf("bad.json error = %v", err)
	}
}

// A failure to notify is a warning in the report, never a failed run.
func TestNotifyFailureIsAWarning(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "github-token"), []byte("expired\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"tool":"a","findings":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r, _, err := clitest.RunCheck(t, &Check{}, dir, "--notify-credentials", dir, "--github-repo", "homelab/infra",
		"--github-sha", "6dcb09b5b57875f334f61aebed695e2e4193db5e", "--github-api", srv.URL+"/", "a.json")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Summary.Passed || r.Summary.Warnings != 1 || r.Findings[0].Rule != RuleNotifyFailed ||
		!strings.Contains(r.Findings[0].Message, "could not notify github: commit status on homelab/infra@6dcb09b5b578: 401 Bad credentials") {
		t.Errorf("%+v", r.Findings)
	}
	if _, _, err := clitest.RunCheck(t, &Check{}, dir, "--notify-credentials", dir, "--github-repo", "homelab/infra", "--github-pr", "x", "a.json"); err == nil {
		t.Error("--github-pr x accepted")
	}
}

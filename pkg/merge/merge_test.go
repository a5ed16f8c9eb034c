package merge

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
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

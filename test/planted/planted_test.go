package planted

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/plumbline"
	"github.com/plumbline/plumbline/pkg/report"
)

var update = flag.Bool("update", false, "rewrite testdata/*/unmatched.txt")

// goal is the share of planted mistakes a repository's own config must find.
const goal = 0.90

// slack is how far from the planted line a finding may land and still be
// that mistake's: a rule may name the block's first line, or the key
// above the value.
const slack = 3

// mistake is one row of planted.tsv.
type mistake struct {
	id, file, text, what string
	line                 int
	rules                []string
}

func TestPlanted(t *testing.T) {
	if _, err := exec.LookPath("ansible-lint"); err != nil {
		need.Missing(t, "needs the real ansible-lint (apt-get install ansible-lint)")
	}
	dirs, err := filepath.Glob("testdata/*/planted.tsv")
	if err != nil || len(dirs) < 2 {
		t.Fatalf("want at least two planted repositories, got %v (%v)", dirs, err)
	}
	for _, p := range dirs {
		dir := filepath.Dir(p)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			planted := readPlanted(t, dir)
			findings := check(t, dir)
			found := map[string]bool{}
			var unmatched []string
			for _, f := range findings {
				ids := matches(planted, f)
				for _, id := range ids {
					found[id] = true
				}
				if len(ids) == 0 && f.File != "" {
					unmatched = append(unmatched, fmt.Sprintf("%s\t%s:%d\t%s\t%s", f.Severity, f.File, f.Line, f.Rule, oneLine(f.Message)))
				}
			}
			ids := map[string]string{}
			for _, m := range planted {
				if _, ok := ids[m.id]; !ok {
					ids[m.id] = m.what
				}
			}
			var missed []string
			for id, what := range ids {
				if !found[id] {
					missed = append(missed, id+": "+what)
				}
			}
			slices.Sort(missed)
			share := float64(len(ids)-len(missed)) / float64(len(ids))
			t.Logf("found %d of %d planted mistakes (%.0f%%)", len(ids)-len(missed), len(ids), 100*share)
			for _, m := range missed {
				t.Logf("missed %s", m)
			}
			if share < goal {
				t.Errorf("found %.0f%% of the planted mistakes, want at least %.0f%%", 100*share, 100*goal)
			}
			slices.Sort(unmatched)
			for _, u := range unmatched {
				if strings.HasPrefix(u, report.Error.String()+"\t") {
					t.Errorf("an error no planted mistake explains (a false error, or a mistake planted unknowingly: judge it): %s", u)
				}
			}
			golden := filepath.Join(dir, "unmatched.txt")
			got := strings.Join(unmatched, "\n") + "\n"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Errorf("findings matching no planted mistake changed (-%s +now); judge them, then -update:\n%s", golden, d)
			}
		})
	}
}

// check runs plumbline check in dir as a user would: its own
// .plumbline.yaml, JSON out.
func check(t *testing.T, dir string) []report.Finding {
	t.Helper()
	var out, errs bytes.Buffer
	code := plumbline.Main(context.Background(), []string{"check", "--quiet", "--format", "json", dir}, cli.Env{Stdout: &out, Stderr: &errs})
	if code != cli.ExitFindings {
		t.Fatalf("plumbline check exit %d, want %d (findings)\n%s", code, cli.ExitFindings, errs.String())
	}
	var r report.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	for _, f := range r.Findings {
		if f.Rule == "report/check-skipped" || strings.HasSuffix(f.Rule, "/incomplete") {
			t.Errorf("a check did not run fully: %s: %s", f.Rule, f.Message)
		}
	}
	return r.Findings
}

// matches are the ids of the planted mistakes f names: same file, a rule
// the row accepts, within slack lines.
func matches(planted []mistake, f report.Finding) []string {
	var ids []string
	for _, m := range planted {
		if m.file == f.File && abs(m.line-f.Line) <= slack && slices.ContainsFunc(m.rules, func(r string) bool {
			return r == f.Rule || strings.HasSuffix(f.Rule, "/"+r)
		}) && !slices.Contains(ids, m.id) {
			ids = append(ids, m.id)
		}
	}
	return ids
}

// readPlanted reads dir/planted.tsv; each row's line is the one line of
// its file holding its text.
func readPlanted(t *testing.T, dir string) []mistake {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "planted.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []mistake
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if sc.Text() == "" || strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if len(c) != 5 {
			t.Fatalf("planted.tsv:%d: want 5 tab-separated columns, got %d", n, len(c))
		}
		m := mistake{id: c[0], file: c[1], text: c[2], rules: strings.Split(c[3], ","), what: c[4]}
		if m.text == "" {
			// A directory (a group_vars/ ansible never loads): no line.
			if fi, err := os.Stat(filepath.Join(dir, m.file)); err != nil || !fi.IsDir() {
				t.Fatalf("planted.tsv:%d: no text, and %s is not a directory (%v)", n, m.file, err)
			}
			out = append(out, m)
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, m.file))
		if err != nil {
			t.Fatalf("planted.tsv:%d: %v", n, err)
		}
		for i, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, m.text) {
				if m.line != 0 {
					t.Fatalf("planted.tsv:%d: %q is on lines %d and %d of %s", n, m.text, m.line, i+1, m.file)
				}
				m.line = i + 1
			}
		}
		if m.line == 0 {
			t.Fatalf("planted.tsv:%d: %q is on no line of %s", n, m.text, m.file)
		}
		out = append(out, m)
	}
	return out
}

// oneLine keeps a finding on its row of unmatched.txt: 120 bytes and the
// mark.
func oneLine(s string) string {
	return report.Truncate(strings.ReplaceAll(s, "\n", " "), 120+len("…"))
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

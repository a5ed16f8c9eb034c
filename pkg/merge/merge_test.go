package merge

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/internal/giteatest"
	"github.com/plumbline/plumbline/pkg/cli"
)

// Inputs reads exactly the files it is given and refuses every report
// that is not the named check's, from this run, as a regular file.
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
	write("r/a.json", `{"tool":"a","run":"run-1","findings":[]}`)
	write("r/b.json", `{"tool":"b","run":"run-1","findings":[]}`)
	write("r/stale.json", `{"tool":"stale","run":"run-0","findings":[]}`)
	write("r/norun.json", `{"tool":"norun","findings":[]}`)
	write("r/forged.json", `{"tool":"policy-check","run":"run-1","findings":[]}`)
	write("r/merged.json", `{"tool":"report","run":"run-1","checks":[{"tool":"a","source":"a.json","status":"ran","summary":{"passed":true}}],"findings":[]}`)
	write("r/fakemerge.json", `{"tool":"x","run":"run-1","checks":[{"tool":"a","source":"a.json","status":"ran","summary":{"passed":true}}],"findings":[]}`)
	write("bad.json", `{"tool":"bad","run":"run-1"}`)
	write("r/dir.json/ok.json", `{"tool":"ok","run":"run-1","findings":[]}`)
	write("skipped.json", `{"tool":"skipped","run":"run-1","findings":[]}`)
	// In one pod, a later step rewrote c.json; d.json's check gave no digest.
	write("c.json", `{"tool":"c","run":"run-1","findings":[]}`)
	write("d.json", `{"tool":"d","run":"run-1","findings":[]}`)
	cWrote := sha256hex(`{"tool":"c","run":"run-1","findings":[{"rule":"c/r","severity":"error","message":"m"}]}`)
	if err := os.Symlink(filepath.Join(dir, "r", "a.json"), filepath.Join(dir, "link.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.json")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := func(name string) string { return filepath.Join(dir, name) }

	inputs := Inputs([]string{
		p("r/a.json"), p("r/b.json"),
		p("r/a.json"),      // named again: not read twice
		p("r"),             // a directory: refused, its files are not read
		p("r/*.json"),      // no globs: a file of that name does not exist
		p("missing.json"),  // not there: did not run
		p("bad.json"),      // not a report
		p("r/stale.json"),  // an earlier run's
		p("r/norun.json"),  // no run id at all (a committed file)
		p("r/forged.json"), // policy-check's content under another name
		p("r/merged.json"), // report's own merged output of this run
		p("r/fakemerge.json"),
		p("r/dir.json"), // the planted directory of issue 14
		p("link.json"), p("zero.json"), p("fifo.json"),
		p("skipped.json"),
		p("c.json"), p("d.json"),
	}, Want{Run: "run-1", Skip: map[string]string{"skipped": "dns-live is empty"}, Digests: map[string]string{
		p("r/a.json"): sha256hex(`{"tool":"a","run":"run-1","findings":[]}`),
		p("c.json"):   cWrote,
		p("d.json"):   "",
	}})
	type row struct {
		Source, Tool, Skipped string
		Err                   string
	}
	var got []row
	for _, i := range inputs {
		r := row{Source: strings.TrimPrefix(i.Source, filepath.ToSlash(dir)+"/"), Skipped: i.Skipped}
		if i.Err != nil {
			r.Err = strings.ReplaceAll(i.Err.Error(), dir+"/", "")
		}
		if i.Report != nil {
			r.Tool = i.Report.Tool
		}
		got = append(got, r)
	}
	want := []row{
		{Source: "r/a.json", Tool: "a"},
		{Source: "r/b.json", Tool: "b"},
		{Source: "r", Err: "r: refused: a directory (name each check's report file)"},
		{Source: "r/*.json"},
		{Source: "missing.json"},
		{Source: "bad.json", Err: `bad.json:1:1: missing "findings": not a Plumbline report`},
		{Source: "r/stale.json", Err: `r/stale.json: refused: not written by this run (its run id is "run-0", this run's is "run-1")`},
		{Source: "r/norun.json", Err: `r/norun.json: refused: not written by this run (its run id is "", this run's is "run-1")`},
		{Source: "r/forged.json", Err: `r/forged.json: refused: written by "policy-check", not by forged`},
		{Source: "r/merged.json", Tool: "report"},
		{Source: "r/fakemerge.json", Err: `r/fakemerge.json: refused: a merged report from "x", not from report`},
		{Source: "r/dir.json", Err: "r/dir.json: refused: a directory (name each check's report file)"},
		{Source: "link.json", Err: "link.json: refused: a symlink, not a report file"},
		{Source: "zero.json", Err: "zero.json: refused: a symlink, not a report file"},
		{Source: "fifo.json", Err: "fifo.json: refused: not a regular file (p---------)"},
		{Source: "skipped.json", Skipped: "dns-live is empty"},
		{Source: "c.json", Err: fmt.Sprintf("c.json: refused: not what its check wrote (sha256 %s, the check's step result says %s)",
			sha256hex(`{"tool":"c","run":"run-1","findings":[]}`), cWrote)},
		{Source: "d.json", Err: "d.json: refused: its check gave no digest of what it wrote"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
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
	r, _, err := clitest.RunCheck(t, &Check{}, dir, "--notify-credentials", dir, "--repo", "homelab/infra",
		"--sha", "6dcb09b5b57875f334f61aebed695e2e4193db5e", "--github-api", srv.URL+"/", "a.json")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Summary.Passed || r.Summary.Warnings != 1 || r.Findings[0].Rule != RuleNotifyFailed ||
		!strings.Contains(r.Findings[0].Message, "could not notify github: commit status on homelab/infra@6dcb09b5b578: 401 Bad credentials") {
		t.Errorf("%+v", r.Findings)
	}
	if _, _, err := clitest.RunCheck(t, &Check{}, dir, "--notify-credentials", dir, "--repo", "homelab/infra", "--pr", "x", "a.json"); err == nil {
		t.Error("--pr x accepted")
	}
}

// The commit status links to the run in the Tekton Dashboard when its URL
// is given; an explicit target URL wins; a bad one is a usage error.
func TestStatusLinksToTheDashboard(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var st struct {
			TargetURL string `json:"target_url"`
		}
		json.NewDecoder(r.Body).Decode(&st)
		got = append(got, st.TargetURL)
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "github-token"), []byte("t0ken\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"tool":"a","findings":[]}`), 0o644)
	base := []string{"--notify-credentials", dir, "--repo", "homelab/infra",
		"--sha", "6dcb09b5b57875f334f61aebed695e2e4193db5e", "--github-api", srv.URL + "/"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--dashboard-url", "https://tekton.home.arpa/", "--dashboard-run", "taskruns/plumbline/validate-x2k4f"},
			"https://tekton.home.arpa/#/namespaces/plumbline/taskruns/validate-x2k4f"},
		{[]string{"--dashboard-url", "https://tekton.home.arpa", "--dashboard-run", "pipelineruns/ci/infra-validation-7q"},
			"https://tekton.home.arpa/#/namespaces/ci/pipelineruns/infra-validation-7q"},
		{[]string{"--github-target-url", "https://ci.example/run/1", "--dashboard-url", "https://tekton.home.arpa", "--dashboard-run", "taskruns/a/b"},
			"https://ci.example/run/1"},
		{nil, ""},
	} {
		got = nil
		if _, _, err := clitest.RunCheck(t, &Check{}, dir, append(append(base, tc.args...), "a.json")...); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("%q: target URLs %q, want %q", tc.args, got, tc.want)
		}
	}
	for _, bad := range [][]string{
		{"--dashboard-url", "tekton.home.arpa", "--dashboard-run", "taskruns/a/b"},
		{"--dashboard-url", "https://tekton.home.arpa", "--dashboard-run", "pods/a/b"},
		{"--dashboard-url", "https://tekton.home.arpa", "--dashboard-run", ""},
	} {
		if _, _, err := clitest.RunCheck(t, &Check{}, dir, append(append(base, bad...), "a.json")...); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The old names of --repo, --sha and --pr still work for a catalog
// version, saying they are deprecated; an old name with a new one that
// disagrees is a usage error; empty old names (Tekton passes every param)
// are nothing.
func TestRenamedFlags(t *testing.T) {
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.Method+" "+r.URL.Path)
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id": 1}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "github-token"), []byte("t0ken\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"tool":"a","findings":[]}`), 0o644)
	sha := "6dcb09b5b57875f334f61aebed695e2e4193db5e"
	api := []string{"--notify-credentials", dir, "--github-api", srv.URL + "/"}
	for _, tc := range []struct {
		args  []string
		notes []string
	}{
		{[]string{"--github-repo", "homelab/infra", "--github-sha", sha}, []string{"--github-repo is deprecated: use --repo", "--github-sha is deprecated: use --sha"}},
		{[]string{"--repo", "homelab/infra", "--github-repo", "", "--sha", sha, "--github-sha", sha}, []string{"--github-sha is deprecated: use --sha"}},
		{[]string{"--repo", "homelab/infra", "--github-repo", "", "--sha", sha, "--github-sha", "", "--github-pr", ""}, nil},
	} {
		paths = nil
		_, progress, err := clitest.RunCheck(t, &Check{}, dir, append(append(api, tc.args...), "a.json")...)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if want := []string{"POST /api/v3/repos/homelab/infra/statuses/" + sha}; !slices.Equal(paths, want) {
			t.Errorf("%q: requests %q, want %q", tc.args, paths, want)
		}
		for _, n := range tc.notes {
			if !strings.Contains(progress, n) {
				t.Errorf("%q: progress %q lacks %q", tc.args, progress, n)
			}
		}
		if tc.notes == nil && strings.Contains(progress, "deprecated") {
			t.Errorf("%q: empty old names said to be used: %q", tc.args, progress)
		}
	}
	_, _, err := clitest.RunCheck(t, &Check{}, dir, append(api, "--repo", "homelab/infra", "--github-repo", "homelab/other", "a.json")...)
	var ue *cli.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `--github-repo "homelab/other" and --repo "homelab/infra" disagree`) {
		t.Errorf("disagreeing names: %v", err)
	}
}

// With --gitea-url the outcome goes to that Gitea (a real one, on
// loopback) with the gitea-token, and GitHub is not told even when a
// github-token is there too.
func TestGitea(t *testing.T) {
	srv := giteatest.Start(t)
	sha := srv.Repo("homelab", "infra")
	srv.User("plumbline-bot")
	srv.API("homelab", http.MethodPut, "/repos/homelab/infra/collaborators/plumbline-bot", map[string]any{"permission": "write"}, nil)
	var githubCalls int
	github := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { githubCalls++ }))
	defer github.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "gitea-token"), []byte(srv.Token("plumbline-bot", "write:repository", "write:issue", "read:user")+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "github-token"), []byte("t0ken\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"tool":"a","findings":[{"rule":"a/b","severity":"error","message":"m","file":"x.tf","line":3}]}`), 0o644)
	r, _, err := clitest.RunCheck(t, &Check{}, dir, "--notify-credentials", dir, "--gitea-url", srv.URL, "--github-api", github.URL+"/",
		"--repo", "homelab/infra", "--sha", sha, "--dashboard-url", "https://tekton.home.arpa", "--dashboard-run", "taskruns/plumbline/v-1", "a.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		if f.Rule == RuleNotifyFailed {
			t.Errorf("notify failed: %s", f.Message)
		}
	}
	state, st := srv.Status("homelab/infra", sha)
	if state != "failure" || len(st) != 1 || st[0]["target_url"] != "https://tekton.home.arpa/#/namespaces/plumbline/taskruns/v-1" {
		t.Errorf("status on Gitea: %s %v", state, st)
	}
	if githubCalls != 0 {
		t.Errorf("GitHub was called %d times for a Gitea run", githubCalls)
	}
	if _, _, err := clitest.RunCheck(t, &Check{}, dir, "--notify-credentials", dir, "--gitea-url", "git.home.arpa", "--repo", "homelab/infra", "a.json"); err == nil {
		t.Error("--gitea-url without a scheme accepted")
	}
}

// A pull request's diff (--changes) marks the findings on lines it did not
// change; the comment leads with the new one, collapses the old, and says
// where the full report is. The verdict is the same either way.
func TestChangesLeadTheComment(t *testing.T) {
	var comments []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(r.URL.Path, "/comments") && r.Method == http.MethodPost {
			var c struct {
				Body string `json:"body"`
			}
			json.Unmarshal(body, &c)
			comments = append(comments, c.Body)
		}
		if r.Method == http.MethodGet {
			io.WriteString(w, `[]`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "github-token"), []byte("t0ken\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"tool":"a","findings":[
		{"rule":"a/old","severity":"error","message":"was there","file":"main.tf","line":2},
		{"rule":"a/new","severity":"warning","message":"just written","file":"main.tf","line":9}]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "changes.diff"), []byte("diff --git a/main.tf b/main.tf\n--- a/main.tf\n+++ b/main.tf\n@@ -8,0 +9 @@\n+x\n"), 0o644)
	args := []string{"--notify-credentials", dir, "--repo", "homelab/infra", "--pr", "7",
		"--sha", "6dcb09b5b57875f334f61aebed695e2e4193db5e", "--github-api", srv.URL + "/",
		"--dashboard-run", "taskruns/ci/validate-x2k4f", "--changes", filepath.Join(dir, "changes.diff"), "a.json"}
	r, _, err := clitest.RunCheck(t, &Check{}, dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	if r.Summary.Passed || r.Summary.Errors != 1 || r.Summary.Existing != 1 {
		t.Errorf("summary %+v: the old error still fails the pull request", r.Summary)
	}
	if len(comments) != 1 {
		t.Fatalf("%d comments", len(comments))
	}
	c := comments[0]
	newAt, oldAt := strings.Index(c, "`a/new`"), strings.Index(c, "`a/old`")
	if !strings.Contains(c, "New in this change: 1 finding") || newAt < 0 || oldAt < newAt ||
		!strings.Contains(c, "<details><summary>Already there before this change: 1 finding</summary>") ||
		!strings.Contains(c, "tkn taskrun logs validate-x2k4f -n ci") {
		t.Errorf("comment:\n%s", c)
	}

	// A push: no diff file, nothing marked. A diff that is not one: a note.
	for _, tc := range []struct{ file, rule string }{{"none.diff", ""}, {"a.json", RuleChangesUnreadable}} {
		r, _, err := clitest.RunCheck(t, &Check{}, dir, "--changes", filepath.Join(dir, tc.file), "a.json")
		if err != nil {
			t.Fatal(err)
		}
		var rules []string
		for _, f := range r.Findings {
			if f.Existing {
				t.Errorf("%s: %s marked existing", tc.file, f.Rule)
			}
			if f.Rule == RuleChangesUnreadable {
				rules = append(rules, f.Rule)
			}
		}
		if strings.Join(rules, "") != tc.rule {
			t.Errorf("%s: %v", tc.file, rules)
		}
	}
}

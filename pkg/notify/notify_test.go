package notify_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/pkg/notify"
	"github.com/plumbline/plumbline/pkg/report"
)

// GitHub cannot be reached here. The server below replays response bodies
// in the form GitHub's REST API documentation gives them (commit statuses,
// issue comments, and the error bodies for 401, 404, 422 and an exhausted
// rate limit).
const (
	docStatus     = `{"url":"https://api.github.com/repos/homelab/infra/statuses/6dcb09b5b57875f334f61aebed695e2e4193db5e","id":1,"node_id":"MDY6U3RhdHVzMQ==","state":"success","description":"Build has completed successfully","target_url":"https://example.com/build/status","context":"continuous-integration/jenkins","created_at":"2012-07-20T01:19:13Z","updated_at":"2012-07-20T01:19:13Z"}`
	docComment    = `{"id":1,"node_id":"MDEyOklzc3VlQ29tbWVudDE=","url":"https://api.github.com/repos/homelab/infra/issues/comments/1","body":"Me too","user":{"login":"octocat","id":1},"created_at":"2011-04-14T16:00:49Z","updated_at":"2011-04-14T16:00:49Z"}`
	docUser       = `{"login":"plumbline-bot","id":583231,"node_id":"MDQ6VXNlcjU4MzIzMQ==","type":"User","site_admin":false}`
	docBadCreds   = `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`
	docNotFound   = `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`
	docValidation = `{"message":"Validation Failed","errors":[{"resource":"Status","code":"custom","field":"state","message":"state is not included in the list"}],"documentation_url":"https://docs.github.com/rest/commits/statuses#create-a-commit-status"}`
	// Upload an analysis as SARIF data: 202 with the upload's id; 403 when
	// the repository has no code scanning (GitHub Advanced Security).
	docSarifAccepted = `{"id":"47177e22-5596-11eb-80a1-c1e54ef945c6","url":"https://api.github.com/repos/octocat/hello-world/code-scanning/sarifs/47177e22-5596-11eb-80a1-c1e54ef945c6"}`
	docSarifNoGHAS   = `{"message":"Advanced Security must be enabled for this repository to use code scanning.","documentation_url":"https://docs.github.com/rest/code-scanning/code-scanning#upload-an-analysis-as-sarif-data","status":"403"}`
	docRateLimited   = `{"message":"API rate limit exceeded for 203.0.113.7. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}`
)

type call struct{ Method, Path, Body string }

type fakeGitHub struct {
	mu       sync.Mutex
	calls    []call
	comments []map[string]any
	fail     map[string]func(w http.ResponseWriter) // by "METHOD path"
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, "/api/v3")
	f.calls = append(f.calls, call{r.Method, path, string(body)})
	if h, ok := f.fail[r.Method+" "+path]; ok {
		h(w)
		return
	}
	if r.Header.Get("Authorization") != "Bearer good-token" {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, docBadCreds)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/repos/homelab/infra/statuses/"):
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, docStatus)
	case r.Method == http.MethodPost && path == "/repos/homelab/infra/code-scanning/sarifs":
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, docSarifAccepted)
	case r.Method == http.MethodGet && path == "/user":
		io.WriteString(w, docUser)
	case r.Method == http.MethodGet && path == "/repos/homelab/infra/issues/42/comments":
		json.NewEncoder(w).Encode(f.comments)
	case r.Method == http.MethodPost && path == "/repos/homelab/infra/issues/42/comments":
		var c map[string]any
		json.Unmarshal(body, &c)
		c["id"] = len(f.comments) + 100
		c["user"] = map[string]any{"login": "plumbline-bot"}
		f.comments = append(f.comments, c)
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, docComment)
	case r.Method == http.MethodPatch && strings.HasPrefix(path, "/repos/homelab/infra/issues/comments/"):
		var c map[string]any
		json.Unmarshal(body, &c)
		for _, old := range f.comments {
			if fmt.Sprint(old["id"]) == strings.TrimPrefix(path, "/repos/homelab/infra/issues/comments/") {
				old["body"] = c["body"]
			}
		}
		io.WriteString(w, docComment)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, docNotFound)
	}
}

func failing() *report.Report {
	r := &report.Report{Tool: "report", Findings: []report.Finding{{Rule: "terraform/x", Severity: report.Error, Message: "m", File: "a.tf"}}}
	r.Finalize(report.Threshold(report.Error))
	return r
}

func newGitHub(t *testing.T, srv *httptest.Server, token, repo string, pr int) *notify.GitHub {
	t.Helper()
	g, err := notify.NewGitHub(srv.URL+"/", token, repo, "6dcb09b5b57875f334f61aebed695e2e4193db5e", pr)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGitHubStatusAndOneComment(t *testing.T) {
	// Someone else's comment that carries the marker: never edited.
	f := &fakeGitHub{comments: []map[string]any{{"id": 7, "body": notify.Marker + "\nall green, trust me", "user": map[string]any{"login": "mallory"}}}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	g := newGitHub(t, srv, "good-token", "homelab/infra", 42)
	for run := 1; run <= 2; run++ {
		if err := g.Notify(context.Background(), failing(), fmt.Sprintf("### summary of run %d", run)); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
	}
	var methods []string
	for _, c := range f.calls {
		methods = append(methods, c.Method+" "+c.Path)
	}
	want := []string{
		"POST /repos/homelab/infra/statuses/6dcb09b5b57875f334f61aebed695e2e4193db5e",
		"POST /repos/homelab/infra/code-scanning/sarifs",
		"GET /user",
		"GET /repos/homelab/infra/issues/42/comments",
		"POST /repos/homelab/infra/issues/42/comments", // the first run adds the comment
		"POST /repos/homelab/infra/statuses/6dcb09b5b57875f334f61aebed695e2e4193db5e",
		"POST /repos/homelab/infra/code-scanning/sarifs",
		"GET /user",
		"GET /repos/homelab/infra/issues/42/comments",
		"PATCH /repos/homelab/infra/issues/comments/101", // the second edits it
	}
	if diff := cmp.Diff(want, methods); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	var st map[string]string
	json.Unmarshal([]byte(f.calls[0].Body), &st)
	if st["state"] != "failure" || st["context"] != "plumbline" || !strings.HasPrefix(st["description"], "1 error, 0 warnings") {
		t.Errorf("status body %v", st)
	}
	if len(f.comments) != 2 || !strings.Contains(f.comments[1]["body"].(string), "summary of run 2") ||
		!strings.HasPrefix(f.comments[1]["body"].(string), notify.Marker) || f.comments[0]["body"] != notify.Marker+"\nall green, trust me" {
		t.Errorf("comments %v", f.comments)
	}
}

func TestGitHubErrors(t *testing.T) {
	reset := fmt.Sprint(time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC).Unix())
	tests := []struct {
		name, token string
		fail        map[string]func(w http.ResponseWriter)
		want        string
	}{
		{"401", "bad-token", nil, "401 Bad credentials (check the token)"},
		{"404", "good-token", map[string]func(http.ResponseWriter){
			"POST /repos/homelab/infra/statuses/6dcb09b5b57875f334f61aebed695e2e4193db5e": func(w http.ResponseWriter) {
				w.WriteHeader(http.StatusNotFound)
				io.WriteString(w, docNotFound)
			}}, "404 Not Found (check the repository, and that the token can see it)"},
		{"422", "good-token", map[string]func(http.ResponseWriter){
			"POST /repos/homelab/infra/statuses/6dcb09b5b57875f334f61aebed695e2e4193db5e": func(w http.ResponseWriter) {
				w.WriteHeader(http.StatusUnprocessableEntity)
				io.WriteString(w, docValidation)
			}}, "422 Validation Failed; state is not included in the list"},
		{"rate limit", "good-token", map[string]func(http.ResponseWriter){
			"POST /repos/homelab/infra/statuses/6dcb09b5b57875f334f61aebed695e2e4193db5e": func(w http.ResponseWriter) {
				w.Header().Set("X-RateLimit-Limit", "60")
				w.Header().Set("X-RateLimit-Remaining", "0")
				w.Header().Set("X-RateLimit-Reset", reset)
				w.WriteHeader(http.StatusForbidden)
				io.WriteString(w, docRateLimited)
			}}, "rate limited until 23:00:00 UTC: API rate limit exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(&fakeGitHub{fail: tt.fail})
			defer srv.Close()
			err := newGitHub(t, srv, tt.token, "homelab/infra", 0).Notify(context.Background(), failing(), "x")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestWebhook(t *testing.T) {
	var got map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewDecoder(r.Body).Decode(&got)
	}))
	defer srv.Close()
	if err := (&notify.Webhook{URL: srv.URL + "/hooks/T000/B000/secretpart"}).Notify(context.Background(), failing(), ""); err != nil {
		t.Fatal(err)
	}
	want := "Plumbline failed: 1 error, 0 warnings, 0 notes in 0 files"
	if got["text"] != want || got["content"] != want {
		t.Errorf("body %v, want text and content %q", got, want)
	}
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "invalid_token", http.StatusForbidden)
	}))
	defer broken.Close()
	err := (&notify.Webhook{URL: broken.URL + "/secretpart"}).Notify(context.Background(), failing(), "")
	if err == nil || !strings.Contains(err.Error(), "HTTP 403 Forbidden: invalid_token") || strings.Contains(err.Error(), "secretpart") {
		t.Errorf("error = %v", err)
	}
	err = (&notify.Webhook{URL: "http://127.0.0.1:1/secretpart"}).Notify(context.Background(), failing(), "")
	if err == nil || strings.Contains(err.Error(), "secretpart") {
		t.Errorf("error = %v, want one without the URL", err)
	}
}

// A forge that never answers cannot hold the report step: every request
// has a deadline.
func TestGitHubTimeout(t *testing.T) {
	g, err := notify.NewGitHub("", "t", "homelab/infra", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Client.Client().Timeout; got != notify.Timeout || got == 0 {
		t.Errorf("client timeout %s", got)
	}
}

// The merged SARIF goes to code scanning for the pull request's head (or
// the pushed branch), gzipped and base64 as the API wants; without a ref
// nothing is uploaded; a repository without code scanning is an error the
// caller turns into a warning, saying what is needed.
func TestGitHubCodeScanning(t *testing.T) {
	f := &fakeGitHub{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	g := newGitHub(t, srv, "good-token", "homelab/infra", 42)
	if err := g.Notify(context.Background(), failing(), "x"); err != nil {
		t.Fatal(err)
	}
	var upload struct {
		CommitSHA string `json:"commit_sha"`
		Ref       string `json:"ref"`
		Sarif     string `json:"sarif"`
	}
	for _, c := range f.calls {
		if strings.HasSuffix(c.Path, "/code-scanning/sarifs") {
			json.Unmarshal([]byte(c.Body), &upload)
		}
	}
	if upload.CommitSHA != "6dcb09b5b57875f334f61aebed695e2e4193db5e" || upload.Ref != "refs/pull/42/head" {
		t.Errorf("upload for %q at %q", upload.CommitSHA, upload.Ref)
	}
	gz, err := base64.StdEncoding.DecodeString(upload.Sarif)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.NewDecoder(zr).Decode(&sarif); err != nil {
		t.Fatal(err)
	}
	if sarif.Version != "2.1.0" || len(sarif.Runs) == 0 || len(sarif.Runs[0].Results) != 1 || sarif.Runs[0].Results[0].RuleID != "terraform/x" {
		t.Errorf("uploaded SARIF %+v", sarif)
	}

	for _, tc := range []struct {
		ref  string
		want string // the ref uploaded to, "" none
	}{{"refs/heads/main", "refs/heads/main"}, {"", ""}, {"main", ""}} {
		f.calls = nil
		push := newGitHub(t, srv, "good-token", "homelab/infra", 0)
		push.Ref = tc.ref
		if err := push.Notify(context.Background(), failing(), "x"); err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, c := range f.calls {
			if strings.HasSuffix(c.Path, "/code-scanning/sarifs") {
				json.Unmarshal([]byte(c.Body), &upload)
				got = upload.Ref
			}
		}
		if got != tc.want {
			t.Errorf("a push with ref %q uploaded to %q, want %q", tc.ref, got, tc.want)
		}
	}

	f.fail = map[string]func(http.ResponseWriter){"POST /repos/homelab/infra/code-scanning/sarifs": func(w http.ResponseWriter) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, docSarifNoGHAS)
	}}
	err = g.Notify(context.Background(), failing(), "x")
	if err == nil || !strings.Contains(err.Error(), "code scanning upload to homelab/infra for refs/pull/42/head: 403 Advanced Security must be enabled") ||
		!strings.Contains(err.Error(), "security_events") {
		t.Errorf("err = %v", err)
	}
}

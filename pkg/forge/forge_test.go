package forge

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	secret = []byte("it-s-a-secret")
	body   = []byte(`{"ref":"refs/heads/main"}`)
	good   = Sign(secret, body)
)

func TestVerify(t *testing.T) {
	for _, tt := range []struct {
		name   string
		secret []byte
		header http.Header
		want   string // "" passes
	}{
		{"gitea", secret, http.Header{"X-Gitea-Signature": {good}}, ""},
		{"forgejo sends both", secret, http.Header{"X-Forgejo-Signature": {good}, "X-Gitea-Signature": {good}}, ""},
		{"gogs", secret, http.Header{"X-Gogs-Signature": {good}}, ""},
		{"upper-case hex", secret, http.Header{"X-Gitea-Signature": {strings.ToUpper(good)}}, ""},
		{"none", secret, http.Header{"X-Hub-Signature-256": {"sha256=" + good}}, "no X-Forgejo-Signature or X-Gitea-Signature header set"},
		{"wrong secret", []byte("guess"), http.Header{"X-Gitea-Signature": {good}}, "X-Gitea-Signature does not match"},
		{"github form", secret, http.Header{"X-Gitea-Signature": {"sha256=" + good}}, "X-Gitea-Signature is not a hex SHA-256 HMAC"},
		{"truncated", secret, http.Header{"X-Gitea-Signature": {good[:32]}}, "not a hex SHA-256 HMAC"},
		{"forged next to good", secret, http.Header{"X-Gitea-Signature": {good}, "X-Forgejo-Signature": {strings.Repeat("0", 64)}}, "X-Forgejo-Signature does not match"},
		{"twice", secret, http.Header{"X-Gitea-Signature": {good, good}}, "set more than once"},
		{"empty secret", nil, http.Header{"X-Gitea-Signature": {Sign(nil, body)}}, "the webhook secret is empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.secret, body, tt.header)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), good) || strings.Contains(err.Error(), string(secret)) {
				t.Errorf("the error tells the signature or the secret: %v", err)
			}
		})
	}
	var se *SignatureError
	if err := Verify(secret, []byte("tampered"), http.Header{"X-Gitea-Signature": {good}}); !errors.As(err, &se) || se.Header != "X-Gitea-Signature" {
		t.Errorf("a tampered body: %v, want a *SignatureError", err)
	}
}

func TestEvent(t *testing.T) {
	for _, tt := range []struct {
		header      http.Header
		want, error string
	}{
		{http.Header{"X-Gitea-Event": {"push"}, "X-Gogs-Event": {"push"}}, "push", ""},
		{http.Header{"X-Forgejo-Event": {"pull_request"}, "X-Gitea-Event": {"pull_request"}}, "pull_request", ""},
		{http.Header{"X-Forgejo-Event": {"push"}, "X-Gitea-Event": {"release"}}, "", "another event header"},
		{http.Header{"X-Github-Event": {"push"}}, "", "no X-Forgejo-Event or X-Gitea-Event header set"},
		{http.Header{"X-Gitea-Event": {"push", "release"}}, "", "more than once"},
	} {
		got, err := Event(tt.header)
		if got != tt.want || (err == nil) != (tt.error == "") || (err != nil && !strings.Contains(err.Error(), tt.error)) {
			t.Errorf("Event(%v) = %q, %v; want %q, %q", tt.header, got, err, tt.want, tt.error)
		}
	}
}

func TestChangedFiles(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       Changes
	}{
		{"each once, in order", `{"total_commits":2,"commits":[{"added":["a.tf"],"modified":["b.yml"]},{"removed":["a.tf"],"modified":["c.md"]}]}`,
			Changes{Files: []string{"a.tf", "b.yml", "c.md"}, Complete: true}},
		{"commits left out", `{"total_commits":30,"commits":[{"added":["a.tf"]}]}`, Changes{Files: []string{"a.tf"}}},
		{"no total", `{"commits":[{"modified":["a.tf"]}]}`, Changes{Files: []string{"a.tf"}, Complete: true}},
		{"no commits", `{"total_commits":0,"commits":[]}`, Changes{Complete: true}},
	} {
		got, err := ChangedFiles([]byte(tt.body))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	if _, err := ChangedFiles([]byte(`{"commits":"x"}`)); err == nil {
		t.Error("a push whose commits are not a list was read")
	}
	var many strings.Builder
	many.WriteString(`{"commits":[{"added":[`)
	for i := range MaxChangedFiles + 5 {
		if i > 0 {
			many.WriteString(",")
		}
		many.WriteString(`"f/` + strconv.Itoa(i) + `"`)
	}
	many.WriteString(`]}]}`)
	c, err := ChangedFiles([]byte(many.String()))
	if err != nil || len(c.Files) != MaxChangedFiles || c.Complete {
		t.Errorf("%d files listed, complete %v, err %v: want the first %d, incomplete", len(c.Files), c.Complete, err, MaxChangedFiles)
	}
}

// The signature is valid exactly when it is the HMAC of the body under
// the secret; nothing a delivery holds makes Verify panic.
func FuzzVerify(f *testing.F) {
	f.Add([]byte("s"), []byte(`{}`), Sign([]byte("s"), []byte(`{}`)), "", "push")
	f.Add([]byte("s"), []byte(`{}`), "zz", "0000", "")
	f.Fuzz(func(t *testing.T, secret, body []byte, gitea, forgejo, event string) {
		h := http.Header{}
		if gitea != "" {
			h.Set("X-Gitea-Signature", gitea)
		}
		if forgejo != "" {
			h.Set("X-Forgejo-Signature", forgejo)
		}
		h.Set("X-Gitea-Event", event)
		err := Verify(secret, body, h)
		want := Sign(secret, body)
		match := func(s string) bool { return s == "" || strings.EqualFold(strings.TrimSpace(s), want) }
		valid := len(secret) > 0 && (gitea != "" || forgejo != "") && match(gitea) && match(forgejo)
		if valid != (err == nil) {
			t.Fatalf("Verify = %v, want valid %v", err, valid)
		}
		Event(h)
	})
}

func FuzzChangedFiles(f *testing.F) {
	f.Add([]byte(`{"total_commits":2,"commits":[{"added":["a.tf"],"modified":["b.yml"]}]}`))
	f.Add([]byte(`{"commits":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := ChangedFiles(body)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, file := range c.Files {
			if seen[file] {
				t.Fatalf("%q listed twice", file)
			}
			seen[file] = true
		}
	})
}

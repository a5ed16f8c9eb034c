package notify_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/plumbline/plumbline/internal/giteatest"
	"github.com/plumbline/plumbline/pkg/notify"
	"github.com/plumbline/plumbline/pkg/report"
)

// giteaRepo is a real Gitea with homelab/infra, a pull request from the
// branch feature, and a bot user that may write to the repository.
type giteaRepo struct {
	srv      *giteatest.Server
	main, pr string // the commits of main and of the pull request's head
	number   int
	token    string // the bot's, with the scopes the docs name
}

func newGiteaRepo(t *testing.T) *giteaRepo {
	t.Helper()
	srv := giteatest.Start(t)
	main := srv.Repo("homelab", "infra")
	srv.User("plumbline-bot")
	srv.User("stranger")
	srv.API("homelab", http.MethodPut, "/repos/homelab/infra/collaborators/plumbline-bot", map[string]any{"permission": "write"}, nil)
	srv.API("homelab", http.MethodPost, "/repos/homelab/infra/branches", map[string]any{"new_branch_name": "feature", "old_branch_name": "main"}, nil)
	srv.API("homelab", http.MethodPost, "/repos/homelab/infra/contents/terraform/main.tf", map[string]any{"branch": "feature",
		"content": base64.StdEncoding.EncodeToString([]byte("variable \"name\" {}\n")), "message": "add a variable"}, nil)
	var pr struct {
		Number int `json:"number"`
		Head   struct {
			SHA string `json:"sha"`
		} `json:"head"`
	}
	srv.API("homelab", http.MethodPost, "/repos/homelab/infra/pulls", map[string]any{"head": "feature", "base": "main", "title": "a variable"}, &pr)
	return &giteaRepo{srv: srv, main: main, pr: pr.Head.SHA, number: pr.Number,
		token: srv.Token("plumbline-bot", "write:repository", "write:issue", "read:user")}
}

type giteaStatus struct {
	State       string `json:"status"`
	Context     string `json:"context"`
	Description string `json:"description"`
	TargetURL   string `json:"target_url"`
}

type giteaComment struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
	User struct {
		Login string `json:"login"`
	} `json:"user"`
}

func (g *giteaRepo) statuses(t *testing.T, sha string) []giteaStatus {
	var out []giteaStatus
	g.srv.API("admin", http.MethodGet, "/repos/homelab/infra/statuses/"+sha, nil, &out)
	return out
}

func (g *giteaRepo) comments(t *testing.T) []giteaComment {
	var out []giteaComment
	g.srv.API("admin", http.MethodGet, "/repos/homelab/infra/issues/"+itoa(g.number)+"/comments", nil, &out)
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// A run posts a commit status on the pull request's head and one comment;
// the next run sets the new status and edits that comment, never a
// stranger's comment that carries the marker too.
func TestGiteaStatusAndOneComment(t *testing.T) {
	g := newGiteaRepo(t)
	g.srv.API("stranger", http.MethodPost, "/repos/homelab/infra/issues/"+itoa(g.number)+"/comments",
		map[string]any{"body": notify.Marker + "\nI wrote the marker too"}, nil)
	n, err := notify.NewGitea(g.srv.URL+"/", g.token, "homelab/infra", g.pr, g.number)
	if err != nil {
		t.Fatal(err)
	}
	n.TargetURL = "https://tekton.home.arpa/#/namespaces/plumbline/taskruns/validate-x"
	if err := n.Notify(context.Background(), failing(), "## Plumbline: fail"); err != nil {
		t.Fatal(err)
	}
	st := g.statuses(t, g.pr)
	if len(st) != 1 || st[0].State != "failure" || st[0].Context != "plumbline" || st[0].TargetURL != n.TargetURL ||
		!strings.Contains(st[0].Description, "1 error") {
		t.Fatalf("statuses after a failing run: %+v", st)
	}
	passing := &report.Report{Tool: "report"}
	passing.Finalize(report.Threshold(report.Error))
	if err := n.Notify(context.Background(), passing, "## Plumbline: pass"); err != nil {
		t.Fatal(err)
	}
	// The combined status keeps the latest of each context.
	if state, st := g.srv.Status("homelab/infra", g.pr); state != "success" || len(st) != 1 || !strings.Contains(st[0]["description"].(string), "0 errors") {
		t.Errorf("combined status after a passing run: %s %v", state, st)
	}
	var ours []giteaComment
	for _, c := range g.comments(t) {
		if c.User.Login == "plumbline-bot" {
			ours = append(ours, c)
		} else if c.User.Login == "stranger" && !strings.Contains(c.Body, "I wrote the marker too") {
			t.Errorf("the stranger's comment was edited: %q", c.Body)
		}
	}
	if len(ours) != 1 || ours[0].Body != notify.Marker+"\n## Plumbline: pass" {
		t.Errorf("the bot's comments: %+v, want one, edited to the last run", ours)
	}

	// A push: a status on the commit, no comment.
	push, _ := notify.NewGitea(g.srv.URL, g.token, "homelab/infra", g.main, 0)
	if err := push.Notify(context.Background(), passing, "x"); err != nil {
		t.Fatal(err)
	}
	if st := g.statuses(t, g.main); len(st) != 1 || st[0].State != "success" {
		t.Errorf("statuses of the pushed commit: %+v", st)
	}
}

// What goes wrong says what to do, and never shows the token.
func TestGiteaErrors(t *testing.T) {
	g := newGiteaRepo(t)
	readOnly := g.srv.Token("plumbline-bot", "read:repository", "read:issue", "read:user")
	for _, tt := range []struct {
		name, token, repo, want string
	}{
		{"bad token", "0123456789abcdef0123456789abcdef01234567", "homelab/infra", "401"},
		{"read-only token", readOnly, "homelab/infra", "403"},
		{"no such repository", g.token, "homelab/nope", "404"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, err := notify.NewGitea(g.srv.URL, tt.token, tt.repo, g.pr, g.number)
			if err != nil {
				t.Fatal(err)
			}
			err = n.Notify(context.Background(), failing(), "x")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %s", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.token) {
				t.Errorf("the error shows the token: %v", err)
			}
			t.Log(err)
		})
	}
}

// The token goes to the configured server only: a redirect elsewhere is
// refused before anything is sent there.
func TestGiteaRedirect(t *testing.T) {
	var leaked bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { leaked = r.Header.Get("Authorization") != "" }))
	defer elsewhere.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(elsewhere.URL, "127.0.0.1", "localhost", 1)+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	n, _ := notify.NewGitea(redirect.URL, "secret-token", "homelab/infra", "abc", 0)
	err := n.Notify(context.Background(), failing(), "x")
	if err == nil || !strings.Contains(err.Error(), "refusing a redirect") || leaked {
		t.Errorf("err = %v, leaked %v", err, leaked)
	}
	for _, bad := range []string{"ftp://git.example", "git.example", "https://user:pw@git.example", "https://git.example?x=1"} {
		if _, err := notify.NewGitea(bad, "t", "homelab/infra", "abc", 0); err == nil {
			t.Errorf("NewGitea(%q) accepted", bad)
		}
	}
}

package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/plumbline/plumbline/pkg/report"
)

// Gitea sets a commit status and keeps one pull-request comment up to
// date on a Gitea or Forgejo server (their API is the same for both):
// POST /repos/{owner}/{repo}/statuses/{sha}, and the issue comments of
// the pull request, through plain HTTP against the documented /api/v1.
type Gitea struct {
	Client      *http.Client
	API         *url.URL // the server's /api/v1
	Token       string
	Owner, Repo string
	SHA         string
	PR          int
	Context     string
	TargetURL   string
}

var _ Notifier = (*Gitea)(nil)

// maxAPIResponse bounds what one API answer may hold.
const maxAPIResponse = 8 << 20

// commentPages bounds how far upsertComment looks for its comment, in
// pages of giteaPage (Gitea's default maximum page size).
const (
	commentPages = 20
	giteaPage    = 50
)

// NewGitea makes a notifier for the server at base (https://git.home.arpa,
// with or without a sub-path) and repo (owner/name). The token goes to
// that server and nowhere else: redirects to another host are refused.
func NewGitea(base, token, repo, sha string, pr int) (*Gitea, error) {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("gitea repository %q is not owner/name", repo)
	}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" {
		return nil, fmt.Errorf("gitea url %q is not an http(s) URL of the server", base)
	}
	api := u.JoinPath("api", "v1")
	client := &http.Client{Timeout: Timeout, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != api.Host {
			return fmt.Errorf("refusing a redirect to %s: the token is for %s", req.URL.Host, api.Host)
		}
		return nil
	}}
	return &Gitea{Client: client, API: api, Token: token, Owner: owner, Repo: name, SHA: sha, PR: pr, Context: "plumbline"}, nil
}

func (g *Gitea) Name() string { return "gitea" }

func (g *Gitea) Notify(ctx context.Context, r *report.Report, markdown string) error {
	var errs []error
	if g.SHA != "" {
		state := statusState(r)
		st := map[string]string{"state": state, "context": g.Context, "description": statusLine(r), "target_url": g.TargetURL}
		if err := g.do(ctx, http.MethodPost, nil, st, "repos", g.Owner, g.Repo, "statuses", g.SHA); err != nil {
			errs = append(errs, fmt.Errorf("commit status on %s/%s@%s: %w", g.Owner, g.Repo, short(g.SHA), err))
		}
	}
	if g.PR > 0 {
		if err := g.upsertComment(ctx, Marker+"\n"+markdown); err != nil {
			errs = append(errs, fmt.Errorf("comment on %s/%s#%d: %w", g.Owner, g.Repo, g.PR, err))
		}
	}
	return errors.Join(errs...)
}

type giteaComment struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
	User struct {
		Login string `json:"login"`
	} `json:"user"`
}

// upsertComment edits the comment the token's own user wrote that starts
// with the marker, else adds one: the same rule as on GitHub, since anyone
// can write the marker.
func (g *Gitea) upsertComment(ctx context.Context, body string) error {
	var self struct {
		Login string `json:"login"`
	}
	if err := g.do(ctx, http.MethodGet, &self, nil, "user"); err != nil {
		return fmt.Errorf("who the token is: %w", err)
	}
	number := strconv.Itoa(g.PR)
	for page := 1; page <= commentPages; page++ {
		var comments []giteaComment
		q := url.Values{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(giteaPage)}}
		if err := g.doQuery(ctx, http.MethodGet, q, &comments, nil, "repos", g.Owner, g.Repo, "issues", number, "comments"); err != nil {
			return err
		}
		for _, c := range comments {
			if c.User.Login == self.Login && strings.HasPrefix(c.Body, Marker) {
				return g.do(ctx, http.MethodPatch, nil, map[string]string{"body": body},
					"repos", g.Owner, g.Repo, "issues", "comments", strconv.FormatInt(c.ID, 10))
			}
		}
		if len(comments) < giteaPage {
			break // the last page
		}
	}
	return g.do(ctx, http.MethodPost, nil, map[string]string{"body": body}, "repos", g.Owner, g.Repo, "issues", number, "comments")
}

func (g *Gitea) do(ctx context.Context, method string, out, in any, path ...string) error {
	return g.doQuery(ctx, method, nil, out, in, path...)
}

// doQuery calls the API at path (each element escaped), sending in as
// JSON and decoding the answer into out.
func (g *Gitea) doQuery(ctx context.Context, method string, q url.Values, out, in any, path ...string) error {
	u := g.API.JoinPath(path...)
	u.RawQuery = q.Encode()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "token "+g.Token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := g.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return fmt.Errorf("%s %s: %v", method, u.Path, ue.Err)
		}
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIResponse))
	if err != nil {
		return fmt.Errorf("%s %s: %v", method, u.Path, err)
	}
	if resp.StatusCode/100 != 2 {
		return giteaError(resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: the answer is not what the API documents: %v", method, u.Path, err)
		}
	}
	return nil
}

// giteaError turns an API error into what a person can act on; Gitea
// answers {"message": …, "url": …}.
func giteaError(code int, body []byte) error {
	var e struct {
		Message string `json:"message"`
	}
	json.Unmarshal(body, &e)
	msg := strings.TrimSpace(e.Message)
	if msg == "" {
		msg = http.StatusText(code)
	}
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	s := fmt.Sprintf("%d %s", code, msg)
	switch code {
	case http.StatusUnauthorized:
		s += " (check the token)"
	case http.StatusForbidden:
		s += " (the token needs the write:repository and write:issue scopes)"
	case http.StatusNotFound:
		s += " (check the repository, and that the token can see it)"
	}
	return errors.New(s)
}

package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v74/github"

	"github.com/plumbline/plumbline/pkg/report"
)

// GitHub sets a commit status on SHA and, for a pull request, keeps one
// comment with the summary up to date.
type GitHub struct {
	Client      *github.Client
	Owner, Repo string
	SHA         string
	PR          int    // 0: not a pull request
	Context     string // the status context, e.g. "plumbline"
	TargetURL   string // where the status links to (the PipelineRun), optional
}

var _ Notifier = (*GitHub)(nil)

// NewGitHub makes a client for api (empty: api.github.com; else a GitHub
// Enterprise or test URL) with token.
func NewGitHub(api, token, repo, sha string, pr int) (*GitHub, error) {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("github repository %q is not owner/name", repo)
	}
	c := github.NewClient(&http.Client{Timeout: Timeout}).WithAuthToken(token)
	if api != "" {
		var err error
		if c, err = c.WithEnterpriseURLs(api, api); err != nil {
			return nil, fmt.Errorf("github api %q: %w", api, err)
		}
	}
	return &GitHub{Client: c, Owner: owner, Repo: name, SHA: sha, PR: pr, Context: "plumbline"}, nil
}

func (g *GitHub) Name() string { return "github" }

func (g *GitHub) Notify(ctx context.Context, r *report.Report, markdown string) error {
	var errs []error
	if g.SHA != "" {
		state := "success"
		if !r.Summary.Passed {
			state = "failure"
		}
		st := &github.RepoStatus{State: &state, Context: &g.Context, Description: github.Ptr(statusLine(r))}
		if g.TargetURL != "" {
			st.TargetURL = &g.TargetURL
		}
		if _, _, err := g.Client.Repositories.CreateStatus(ctx, g.Owner, g.Repo, g.SHA, st); err != nil {
			errs = append(errs, fmt.Errorf("commit status on %s/%s@%s: %s", g.Owner, g.Repo, short(g.SHA), describe(err)))
		}
	}
	if g.PR > 0 {
		if err := g.upsertComment(ctx, Marker+"\n"+markdown); err != nil {
			errs = append(errs, fmt.Errorf("comment on %s/%s#%d: %s", g.Owner, g.Repo, g.PR, describe(err)))
		}
	}
	return errors.Join(errs...)
}

// upsertComment edits Plumbline's comment if the pull request has one,
// else adds it, so later runs do not pile up comments. Plumbline's comment
// is one the token's own user wrote that starts with the marker: anyone
// can write the marker into a comment of theirs, and it must not be
// edited. When the token's user cannot be told (a GitHub App's installation
// token cannot read /user), a new comment is added every run.
func (g *GitHub) upsertComment(ctx context.Context, body string) error {
	self := ""
	if u, _, err := g.Client.Users.Get(ctx, ""); err == nil {
		self = u.GetLogin()
	}
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for self != "" {
		comments, resp, err := g.Client.Issues.ListComments(ctx, g.Owner, g.Repo, g.PR, opts)
		if err != nil {
			return err
		}
		for _, c := range comments {
			if c.GetUser().GetLogin() == self && strings.HasPrefix(c.GetBody(), Marker) {
				_, _, err := g.Client.Issues.EditComment(ctx, g.Owner, g.Repo, c.GetID(), &github.IssueComment{Body: &body})
				return err
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	_, _, err := g.Client.Issues.CreateComment(ctx, g.Owner, g.Repo, g.PR, &github.IssueComment{Body: &body})
	return err
}

// statusLine fits GitHub's 140-character status description.
func statusLine(r *report.Report) string {
	s := report.Counts(r.Summary, len(r.Checks))
	if len(s) > 140 {
		s = s[:139] + "…"
	}
	return s
}

// describe turns go-github's errors into what a person can act on.
func describe(err error) string {
	var rl *github.RateLimitError
	var ar *github.AbuseRateLimitError
	var er *github.ErrorResponse
	switch {
	case errors.As(err, &rl):
		return fmt.Sprintf("rate limited until %s: %s", rl.Rate.Reset.Time.UTC().Format("15:04:05 MST"), rl.Message)
	case errors.As(err, &ar):
		return "secondary rate limit: " + ar.Message
	case errors.As(err, &er):
		msg := fmt.Sprintf("%d %s", er.Response.StatusCode, er.Message)
		for _, e := range er.Errors {
			if e.Message != "" {
				msg += "; " + e.Message
			} else if e.Field != "" {
				msg += fmt.Sprintf("; %s %s", e.Field, e.Code)
			}
		}
		switch er.Response.StatusCode {
		case http.StatusUnauthorized:
			msg += " (check the token)"
		case http.StatusNotFound:
			msg += " (check the repository, and that the token can see it)"
		}
		return msg
	}
	return err.Error()
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

package notify

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
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
	// Ref is the branch a push ran on (refs/heads/main): with it, or for a
	// pull request (refs/pull/N/head), the merged SARIF goes to code
	// scanning so findings show on the lines of the diff.
	Ref string
}

// MaxSARIF bounds the gzip-compressed SARIF code scanning is sent: GitHub
// takes at most 10 MB.
const MaxSARIF = 10 << 20

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
		state := statusState(r)
		st := &github.RepoStatus{State: &state, Context: &g.Context, Description: github.Ptr(statusLine(r))}
		if g.TargetURL != "" {
			st.TargetURL = &g.TargetURL
		}
		if _, _, err := g.Client.Repositories.CreateStatus(ctx, g.Owner, g.Repo, g.SHA, st); err != nil {
			errs = append(errs, fmt.Errorf("commit status on %s/%s@%s: %s", g.Owner, g.Repo, short(g.SHA), describe(err)))
		}
	}
	if ref := g.scanRef(); g.SHA != "" && ref != "" {
		if err := g.uploadSARIF(ctx, r, ref); err != nil {
			errs = append(errs, fmt.Errorf("code scanning upload to %s/%s for %s: %s", g.Owner, g.Repo, ref, describe(err)))
		}
	}
	if g.PR > 0 {
		if err := g.upsertComment(ctx, Marker+"\n"+markdown); err != nil {
			errs = append(errs, fmt.Errorf("comment on %s/%s#%d: %s", g.Owner, g.Repo, g.PR, describe(err)))
		}
	}
	return errors.Join(errs...)
}

// scanRef is the ref code scanning files the analysis under: the pull
// request's head, else the pushed branch; "" uploads nothing.
func (g *GitHub) scanRef() string {
	switch {
	case g.PR > 0:
		return fmt.Sprintf("refs/pull/%d/head", g.PR)
	case strings.HasPrefix(g.Ref, "refs/heads/") || strings.HasPrefix(g.Ref, "refs/tags/"):
		return g.Ref
	}
	return ""
}

// uploadSARIF sends the merged report as SARIF, gzipped and base64 as the
// API wants it. A token without the security_events right (or a
// repository without code scanning) gets a 403 or 404, which the caller
// reports as a warning like any failure to notify.
func (g *GitHub) uploadSARIF(ctx context.Context, r *report.Report, ref string) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := (&report.SARIF{}).Write(zw, r); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if buf.Len() > MaxSARIF {
		return fmt.Errorf("the SARIF is %d bytes gzipped, over the %d code scanning takes", buf.Len(), MaxSARIF)
	}
	sarif := base64.StdEncoding.EncodeToString(buf.Bytes())
	_, _, err := g.Client.CodeScanning.UploadSarif(ctx, g.Owner, g.Repo, &github.SarifAnalysis{
		CommitSHA: &g.SHA, Ref: &ref, Sarif: &sarif, ToolName: github.Ptr("plumbline")})
	return err
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

// statusState is the commit status a run's verdict is, in the words
// both GitHub's and Gitea's APIs take.
func statusState(r *report.Report) string {
	if r.Summary.Passed {
		return "success"
	}
	return "failure"
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
		case http.StatusForbidden:
			if er.Response.Request != nil && strings.Contains(er.Response.Request.URL.Path, "/code-scanning/") {
				msg += " (code scanning needs a token with security_events write, and code scanning enabled on the repository)"
			}
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

package merge

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/notify"
	"github.com/plumbline/plumbline/pkg/report"
)

// Tool is the name the merged report carries.
const Tool = "report"

// maxReportSize guards against reading something that is not a report.
const maxReportSize = 256 << 20

// RuleNotifyFailed is a warning: telling GitHub or a chat did not work.
const RuleNotifyFailed = "report/notify-failed"

// Check merges reports; it implements cli.Check.
type Check struct {
	missing string

	credentials                      string
	githubRepo, githubSHA, githubAPI string
	githubTargetURL                  string
	githubPR                         string // a string: Tekton passes "" when there is none
}

var _ cli.Check = (*Check)(nil)

func (c *Check) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.missing, "missing", "warning", "`SEVERITY` of a report that does not exist (a check that did not run): error, warning or note")
	fs.StringVar(&c.credentials, "notify-credentials", "", "`DIR` holding github-token and/or webhook-url files; each present is used (empty: notify nobody)")
	fs.StringVar(&c.githubRepo, "github-repo", "", "post to this GitHub repository, `OWNER/NAME`")
	fs.StringVar(&c.githubSHA, "github-sha", "", "set a commit status on this `SHA`")
	fs.StringVar(&c.githubPR, "github-pr", "", "keep one comment with the summary on this pull request `NUMBER` (empty: none)")
	fs.StringVar(&c.githubAPI, "github-api", "", "GitHub Enterprise API `URL` (default api.github.com)")
	fs.StringVar(&c.githubTargetURL, "github-target-url", "", "`URL` the commit status links to (the PipelineRun in your dashboard)")
}

func (c *Check) Run(ctx context.Context, req cli.Request) (*report.Report, error) {
	missing, err := report.ParseSeverity(c.missing)
	if err != nil {
		return nil, fmt.Errorf("usage: --missing: %w", err)
	}
	notifiers, err := c.notifiers()
	if err != nil {
		return nil, fmt.Errorf("usage: %w", err)
	}
	inputs := Inputs(req.Paths)
	r := report.Merge(inputs, report.MergeOptions{Tool: Tool, Missing: missing, FailOn: req.FailOn})
	c.notify(ctx, r, notifiers)
	var bad []error
	for _, in := range inputs {
		if in.Err != nil {
			bad = append(bad, fmt.Errorf("unreadable report: %w", in.Err))
		}
	}
	return r, errors.Join(bad...)
}

// notifiers reads the credentials directory: a github-token file (with
// --github-repo) posts to GitHub, a webhook-url file to a chat. Missing
// files mean nobody is told, which is not an error: the workspace is
// optional.
func (c *Check) notifiers() ([]notify.Notifier, error) {
	if c.credentials == "" {
		return nil, nil // the Task's optional workspace is not bound: tell nobody
	}
	read := func(name string) (string, error) {
		b, err := os.ReadFile(filepath.Join(c.credentials, name))
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil
		}
		return strings.TrimSpace(string(b)), err
	}
	var ns []notify.Notifier
	token, err := read("github-token")
	if err != nil {
		return nil, err
	}
	pr := 0
	if c.githubPR != "" {
		if pr, err = strconv.Atoi(c.githubPR); err != nil || pr < 1 {
			return nil, fmt.Errorf("--github-pr %q is not a pull request number", c.githubPR)
		}
	}
	if token != "" && c.githubRepo != "" {
		g, err := notify.NewGitHub(c.githubAPI, token, c.githubRepo, c.githubSHA, pr)
		if err != nil {
			return nil, err
		}
		g.TargetURL = c.githubTargetURL
		ns = append(ns, g)
	}
	hook, err := read("webhook-url")
	if err != nil {
		return nil, err
	}
	if hook != "" {
		ns = append(ns, &notify.Webhook{URL: hook})
	}
	return ns, nil
}

// notify tells each notifier; a failure becomes a warning in the report,
// never a failed run: the checks' verdict stands either way.
func (c *Check) notify(ctx context.Context, r *report.Report, ns []notify.Notifier) {
	if len(ns) == 0 {
		return
	}
	// r is finalized by Merge: counts and verdict are the run's.
	var md strings.Builder
	if err := (&report.Markdown{}).Write(&md, r); err != nil {
		return
	}
	for _, n := range ns {
		if err := n.Notify(ctx, r, md.String()); err != nil {
			r.Findings = append(r.Findings, report.Finding{Rule: RuleNotifyFailed, Severity: report.Warning, Tool: Tool,
				Message: fmt.Sprintf("could not notify %s: %v", n.Name(), err)})
		}
	}
}

// Inputs expands each argument into the reports it names: a file, a glob,
// or a directory (its *.json files, not recursive). An argument that names
// nothing becomes a missing input, never a silent skip.
func Inputs(args []string) []report.Input {
	var inputs []report.Input
	seen := map[string]bool{}
	add := func(file string) {
		if clean := filepath.Clean(file); !seen[clean] {
			seen[clean] = true
			inputs = append(inputs, read(file))
		}
	}
	for _, arg := range args {
		files, err := expand(arg)
		switch {
		case err != nil:
			inputs = append(inputs, report.Input{Source: arg, Err: err})
		case len(files) == 0:
			inputs = append(inputs, report.Input{Source: arg})
		}
		for _, f := range files {
			add(f)
		}
	}
	return inputs
}

func expand(arg string) ([]string, error) {
	if strings.ContainsAny(arg, "*?[") {
		files, err := filepath.Glob(arg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", arg, err)
		}
		slices.Sort(files)
		return files, nil
	}
	fi, err := os.Stat(arg)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	case fi.IsDir():
		files, err := filepath.Glob(filepath.Join(arg, "*.json"))
		if err != nil {
			return nil, err
		}
		slices.Sort(files)
		return files, nil
	}
	return []string{arg}, nil
}

func read(file string) report.Input {
	in := report.Input{Source: filepath.ToSlash(file)}
	fi, err := os.Stat(file)
	if err == nil && fi.Size() > maxReportSize {
		err = fmt.Errorf("%s: %d bytes is larger than any report (limit %d)", file, fi.Size(), maxReportSize)
	}
	var data []byte
	if err == nil {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		in.Err = err
		return in
	}
	in.Report, in.Err = report.Decode(in.Source, data)
	return in
}

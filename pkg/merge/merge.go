package merge

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/plumbline/plumbline/pkg/change"
	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/config"
	"github.com/plumbline/plumbline/pkg/notify"
	"github.com/plumbline/plumbline/pkg/report"
)

// Tool is the name the merged report carries.
const Tool = "report"

// maxReportSize bounds one report file: a check's report holds at most
// report.MaxFindings findings of bounded text (report.Finding.Bound), some
// 35 MiB at the very most, and the file is read whole beside its decoded
// form in the report Task's 256 MiB.
const maxReportSize = 40 << 20

// RuleNotifyFailed is a warning: telling GitHub or a chat did not work.
const RuleNotifyFailed = "report/notify-failed"

// Check merges reports; it implements cli.Check.
type Check struct {
	missing string
	runID   string
	when    whenList
	digests whenList // FILE=HEX, like --when never split on commas

	credentials                string
	driftState                 string
	repo, sha, githubAPI       string
	githubTargetURL, githubRef string
	giteaURL                   string
	dashboardURL, dashboardRun string
	pr                         string // a string: Tekton passes "" when there is none
	// renamed are --github-repo, --github-sha and --github-pr, which
	// also named a Gitea repository.
	renamed []*cli.Alias

	// The base branch's config, for a pull request (Floor).
	baseConfig, baseConfigSum string
	baseRevision              string
	changes                   string
	base, head                *config.Config
	hasBase                   bool
	bar                       report.Threshold
	baseMissing               report.Severity // 0: the base says nothing
}

var _ cli.Check = (*Check)(nil)

func (c *Check) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.runID, "expect-run-id", "", "refuse any report whose run id is not `ID` (the checks' --run-id; pipelines pass the PipelineRun's uid)")
	fs.Var(&c.digests, "expect-sha256", "refuse the report `FILE` unless its sha256 is the HEX after = (the report-sha256 step result of the check that wrote it, in one pod; repeatable)")
	fs.Var(&c.when, "when", "expect `CHECK`'s report only when the VALUE after = is not empty, mirroring a Pipeline's when expression (repeatable)")
	fs.StringVar(&c.baseConfig, "base-config", "", "the base branch's config `FILE`, for a pull request: the run is judged at least at its failOn and missing, and a check it runs that the pull request's config disables is an error")
	fs.StringVar(&c.baseConfigSum, "base-config-sha256", "", "the sha256 of --base-config, `HEX`, as the fetch step recorded it (\""+config.NoFile+"\": the base branch has none); a file with another is refused. Without it or --base-revision there is no base branch (a push)")
	fs.StringVar(&c.baseRevision, "base-revision", "", "the pull request's base `COMMIT`: --base-config is its config as the fetch step wrote it (a directory: the .plumbline.yaml in it, absent when the base branch has none), when no step a pull request's code runs in can write it (a Pipeline's fetch Task); empty, without --base-config-sha256: no base branch (a push)")
	fs.StringVar(&c.changes, "changes", "", "a pull request's diff against its base, `FILE` (git diff -U0): findings on lines it did not change are marked existing and shown after the new ones; the verdict is the same (a FILE that is not there: a push, none)")
	fs.StringVar(&c.missing, "missing", "warning", "`SEVERITY` of a report that does not exist (a check that did not run): error, warning or note")
	fs.StringVar(&c.credentials, "notify-credentials", "", "`DIR` holding github-token (or gitea-token), webhook-url, shoutrrr-url (service URLs, one a line: ntfy://, gotify://, matrix://, discord://, slack://, telegram://, …) and pushgateway-url files; each present is used (empty: notify nobody)")
	fs.StringVar(&c.driftState, "drift-state", "", "a scheduled run: keep whether what runs differs from Git in `DIR` (a volume that outlives the run) and tell the chats (webhook-url, shoutrrr-url) only when that changes, drift appeared or drift gone; the commit status and the metrics are told every run")
	fs.StringVar(&c.repo, "repo", "", "post to this repository, `OWNER/NAME`, on GitHub (or on the Gitea or Forgejo server --gitea-url names)")
	fs.StringVar(&c.sha, "sha", "", "set a commit status on this commit, `SHA`")
	fs.StringVar(&c.pr, "pr", "", "keep one comment with the summary on this pull request `NUMBER` (empty: none)")
	c.renamed = []*cli.Alias{cli.NewAlias(fs, "github-repo", "repo", &c.repo), cli.NewAlias(fs, "github-sha", "sha", &c.sha), cli.NewAlias(fs, "github-pr", "pr", &c.pr)}
	fs.StringVar(&c.githubAPI, "github-api", "", "GitHub Enterprise API `URL` (default api.github.com)")
	fs.StringVar(&c.githubRef, "github-ref", "", "the `REF` a push ran on (refs/heads/main): the merged SARIF goes to GitHub code scanning under it (a pull request's goes under refs/pull/N/head); empty uploads none for a push")
	fs.StringVar(&c.giteaURL, "gitea-url", "", "post to the Gitea or Forgejo server at `URL` (with its gitea-token) instead of GitHub; --repo, --sha and --pr name the repository, commit and pull request there")
	fs.StringVar(&c.githubTargetURL, "github-target-url", "", "`URL` the commit status links to (the PipelineRun in your dashboard)")
	fs.StringVar(&c.dashboardURL, "dashboard-url", "", "Tekton Dashboard `URL`: without --github-target-url, the commit status links to --dashboard-run there")
	fs.StringVar(&c.dashboardRun, "dashboard-run", "", "this run, as `KIND/NAMESPACE/NAME` (taskruns or pipelineruns), for --dashboard-url")
}

func (c *Check) Run(ctx context.Context, req cli.Request) (*report.Report, error) {
	for _, a := range c.renamed {
		note, err := a.Resolve()
		if err != nil {
			return nil, err
		}
		if note != "" && req.Progress != nil {
			fmt.Fprintf(req.Progress, "%s: %s\n", Tool, note)
		}
	}
	missing, err := report.ParseSeverity(c.missing)
	if err != nil {
		return nil, cli.Usagef("--missing: %w", err)
	}
	missing = max(missing, c.baseMissing)
	notifiers, err := c.notifiers(req.Secrets)
	if err != nil {
		return nil, cli.Usagef("%w", err)
	}
	want := Want{Run: c.runID, Skip: map[string]string{}, Digests: map[string]string{}}
	for _, d := range c.digests {
		file, sum, ok := strings.Cut(d, "=")
		if !ok || file == "" {
			return nil, cli.Usagef("--expect-sha256 %q: want FILE=HEX", d)
		}
		if !slices.ContainsFunc(req.Paths, func(p string) bool { return filepath.Clean(p) == filepath.Clean(file) }) {
			return nil, cli.Usagef("--expect-sha256 %q: %s is not a report to merge", d, file)
		}
		want.Digests[filepath.Clean(file)] = strings.ToLower(strings.TrimSpace(sum))
	}
	for _, w := range c.when {
		name, value, ok := strings.Cut(w, "=")
		if !ok || name == "" {
			return nil, cli.Usagef("--when %q: want CHECK=VALUE", w)
		}
		if strings.TrimSpace(value) == "" {
			want.Skip[name] = "the pipeline skips it (--when " + name + "= is empty)"
		}
	}
	inputs := Inputs(req.Paths, want)
	r := Merge(inputs, Options{Tool: Tool, Missing: missing, FailOn: req.FailOn})
	var tools []string
	for _, in := range inputs {
		tools = append(tools, toolOf(in.Source))
	}
	var bad []error
	for _, err := range req.Refused {
		r.Findings = append(r.Findings, report.Finding{Rule: RuleConfigRefused, Severity: report.Error, Tool: Tool,
			Message: "cannot use the config: " + report.Truncate(err.Error(), 2000)})
		bad = append(bad, cli.Reported(err))
	}
	r.Findings = append(r.Findings, c.lowered(tools, req.FailOn)...)
	r.Findings = append(r.Findings, c.markChanges(r.Findings)...)
	r.Finalize(req.FailOn)
	c.notify(ctx, r, c.scheduled(r, notifiers))
	for _, in := range inputs {
		if in.Err != nil {
			bad = append(bad, cli.Reported(fmt.Errorf("unreadable report: %w", in.Err)))
		}
	}
	return r, errors.Join(bad...)
}

// RuleChangesUnreadable: the pull request's diff (--changes) could not be
// read, so no finding is shown as already there. A note: it changes how
// the comment is ordered, never the verdict.
const RuleChangesUnreadable = "report/changes-unreadable"

// markChanges marks the findings on lines the pull request did not
// change, from --changes; a file that is not there is a push.
func (c *Check) markChanges(findings []report.Finding) []report.Finding {
	if c.changes == "" {
		return nil
	}
	data, err := readRegular(c.changes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var set *change.Set
	if err == nil {
		set, err = change.Parse(bytes.NewReader(data))
	}
	if err != nil {
		return []report.Finding{{Rule: RuleChangesUnreadable, Severity: report.Note, Tool: Tool,
			Message: "cannot tell new findings from old ones: " + report.Truncate(err.Error(), 500)}}
	}
	set.Mark(findings)
	return nil
}

// whenList is the repeatable --when flag. Unlike cli.List it never splits
// on commas: VALUE is a pipeline parameter, whatever it holds. An empty
// flag (a Tekton param left at "") is no condition.
type whenList []string

func (l *whenList) String() string { return strings.Join(*l, " ") }

func (l *whenList) Set(v string) error {
	if v != "" {
		*l = append(*l, v)
	}
	return nil
}

// notifiers reads the credentials directory: a github-token file (with
// --repo) posts to GitHub, a gitea-token file (with --gitea-url
// too) to Gitea or Forgejo, a webhook-url file to a chat, a
// shoutrrr-url file to the services its URLs name, a
// pushgateway-url file the metrics to a Prometheus Pushgateway. Missing
// files mean nobody is told, which is not an error: the workspace is
// optional.
func (c *Check) notifiers(secrets *report.Secrets) ([]notify.Notifier, error) {
	if c.credentials == "" {
		return nil, nil // the Task's optional workspace is not bound: tell nobody
	}
	read := func(name string) (string, error) {
		b, err := os.ReadFile(filepath.Join(c.credentials, name))
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil
		}
		secrets.Add(string(b))
		return strings.TrimSpace(string(b)), err
	}
	var ns []notify.Notifier
	token, err := read("github-token")
	if err != nil {
		return nil, err
	}
	pr := 0
	if c.pr != "" {
		if pr, err = strconv.Atoi(c.pr); err != nil || pr < 1 {
			return nil, fmt.Errorf("--pr %q is not a pull request number", c.pr)
		}
	}
	switch {
	case c.giteaURL != "":
		// The run came from Gitea or Forgejo: GitHub is not told.
		if token, err = read("gitea-token"); err != nil {
			return nil, err
		}
		if token != "" && c.repo != "" {
			g, err := notify.NewGitea(c.giteaURL, token, c.repo, c.sha, pr)
			if err != nil {
				return nil, err
			}
			if g.TargetURL, err = c.targetURL(); err != nil {
				return nil, err
			}
			ns = append(ns, g)
		}
	case token != "" && c.repo != "":
		g, err := notify.NewGitHub(c.githubAPI, token, c.repo, c.sha, pr)
		if err != nil {
			return nil, err
		}
		if g.TargetURL, err = c.targetURL(); err != nil {
			return nil, err
		}
		g.Ref = c.githubRef
		ns = append(ns, g)
	}
	chats, err := read("shoutrrr-url")
	if err != nil {
		return nil, err
	}
	var urls []string
	for _, u := range strings.Split(chats, "\n") {
		if u = strings.TrimSpace(u); u != "" && !strings.HasPrefix(u, "#") {
			secrets.Add(u) // each URL alone carries its token
			urls = append(urls, u)
		}
	}
	if len(urls) > 0 {
		ns = append(ns, &notify.Shoutrrr{URLs: urls})
	}
	hook, err := read("webhook-url")
	if err != nil {
		return nil, err
	}
	if hook != "" {
		ns = append(ns, &notify.Webhook{URL: hook})
	}
	push, err := read("pushgateway-url")
	if err != nil {
		return nil, err
	}
	if push != "" {
		ns = append(ns, &notify.Pushgateway{URL: push, Repository: c.repo})
	}
	return ns, nil
}

// targetURL is where the commit status links to: the URL given, else this
// run in the Tekton Dashboard (its #/namespaces/NS/KIND/NAME route), else
// nowhere.
func (c *Check) targetURL() (string, error) {
	if c.githubTargetURL != "" || c.dashboardURL == "" {
		return c.githubTargetURL, nil
	}
	u, err := url.Parse(c.dashboardURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("--dashboard-url %q is not an http(s) URL", c.dashboardURL)
	}
	parts := strings.Split(c.dashboardRun, "/")
	if len(parts) != 3 || (parts[0] != "taskruns" && parts[0] != "pipelineruns") || parts[1] == "" || parts[2] == "" {
		return "", fmt.Errorf("--dashboard-run %q: want taskruns/NAMESPACE/NAME or pipelineruns/NAMESPACE/NAME", c.dashboardRun)
	}
	return strings.TrimRight(c.dashboardURL, "/") + "/#/namespaces/" + url.PathEscape(parts[1]) + "/" + parts[0] + "/" + url.PathEscape(parts[2]), nil
}

// markdown is the comment's writer, linking the full report: the run in
// the Tekton Dashboard, else how to reach it with tkn, and the reports
// workspace that keeps report.json when one is bound.
func (c *Check) markdown() *report.Markdown {
	if u, err := c.targetURL(); err == nil && u != "" {
		return &report.Markdown{ReportURL: u}
	}
	parts := strings.Split(c.dashboardRun, "/")
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		return &report.Markdown{}
	}
	kind := strings.TrimSuffix(parts[0], "s")
	return &report.Markdown{ReportPlace: fmt.Sprintf("tkn %s logs %s -n %s (the report step), and report.json in the run's reports workspace when one is bound", kind, parts[2], parts[1])}
}

// notify tells each notifier; a failure becomes a warning in the report,
// never a failed run: the checks' verdict stands either way.
func (c *Check) notify(ctx context.Context, r *report.Report, ns []notify.Notifier) {
	if len(ns) == 0 {
		return
	}
	// r is finalized by Merge: counts and verdict are the run's.
	var md strings.Builder
	if err := c.markdown().Write(&md, r); err != nil {
		return
	}
	for _, n := range ns {
		if err := n.Notify(ctx, r, md.String()); err != nil {
			r.Findings = append(r.Findings, report.Finding{Rule: RuleNotifyFailed, Severity: report.Warning, Tool: Tool,
				Message: fmt.Sprintf("could not notify %s: %v", n.Name(), err)})
		}
	}
}

// Inputs reads the report file each argument names, and nothing else: no
// directory listing, no glob, so a file nobody asked for is never merged.
// A file that does not exist is a missing input (the check did not run),
// never a silent skip. want says which reports are accepted.
func Inputs(args []string, want Want) []Input {
	var inputs []Input
	seen := map[string]bool{}
	for _, arg := range args {
		if clean := filepath.Clean(arg); !seen[clean] {
			seen[clean] = true
			if reason, skip := want.Skip[toolOf(arg)]; skip {
				inputs = append(inputs, Input{Source: filepath.ToSlash(arg), Skipped: reason})
				continue
			}
			inputs = append(inputs, read(arg, want))
		}
	}
	return inputs
}

// Want is what makes a report acceptable besides being well formed.
type Want struct {
	// Run, when set, is the run id every report must carry.
	Run string
	// Skip maps a check the pipeline did not ask for to the reason.
	Skip map[string]string
	// Digests maps a report file (cleaned) to the sha256 its check said
	// it wrote; a report with another content was rewritten after.
	Digests map[string]string
}

// toolOf names the check whose report file is file: the base name without
// .json ("reports/terraform-validate/terraform-validate.json"). A pattern
// (a report names files, never globs) names no one check: it is shown as
// given.
func toolOf(file string) string {
	if strings.ContainsAny(file, "*?[") {
		return file
	}
	base := filepath.Base(file)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

func read(file string, want Want) Input {
	in := Input{Source: filepath.ToSlash(file)}
	data, err := readRegular(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return in // missing: the check did not run
	case err != nil:
		in.Err = err
		return in
	}
	if expected, ok := want.Digests[filepath.Clean(file)]; ok {
		sum := sha256.Sum256(data)
		switch got := hex.EncodeToString(sum[:]); {
		case expected == "":
			in.Err = fmt.Errorf("%s: refused: its check gave no digest of what it wrote", in.Source)
			return in
		case got != expected:
			in.Err = fmt.Errorf("%s: refused: not what its check wrote (sha256 %s, the check's step result says %s)", in.Source, got, report.Truncate(expected, 64))
			return in
		}
	}
	r, err := report.Decode(in.Source, data)
	if err != nil {
		in.Err = err
		return in
	}
	// A report must come from the check it is named after (a merged report
	// from report itself) and from this run.
	switch {
	case len(r.Checks) > 0 && r.Tool != Tool:
		in.Err = fmt.Errorf("%s: refused: a merged report from %q, not from report", in.Source, report.Truncate(r.Tool, 64))
	case len(r.Checks) == 0 && r.Tool != toolOf(file):
		in.Err = fmt.Errorf("%s: refused: written by %q, not by %s", in.Source, report.Truncate(r.Tool, 64), toolOf(file))
	case want.Run != "" && r.Run != want.Run:
		in.Err = fmt.Errorf("%s: refused: not written by this run (its run id is %q, this run's is %q)", in.Source, report.Truncate(r.Run, 64), want.Run)
	default:
		in.Report = r
	}
	return in
}

// readRegular reads a regular file and nothing else: a symlink, a
// directory, a FIFO or a device (/dev/zero) is refused before it is read,
// and no more than maxReportSize bytes are ever read.
func readRegular(file string) ([]byte, error) {
	f, err := os.OpenFile(file, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, fmt.Errorf("%s: refused: a symlink, not a report file", file)
		}
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	switch {
	case fi.IsDir():
		return nil, fmt.Errorf("%s: refused: a directory (name each check's report file)", file)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s: refused: not a regular file (%s)", file, fi.Mode().Type())
	case fi.Size() > maxReportSize:
		return nil, fmt.Errorf("%s: %d bytes is larger than any report (limit %d)", file, fi.Size(), maxReportSize)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxReportSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(data) > maxReportSize {
		return nil, fmt.Errorf("%s: larger than any report (limit %d bytes)", file, maxReportSize)
	}
	return data, nil
}

// Command is the report binary: its image's main, and plumbline check.
func Command() cli.Command {
	return cli.Command{Name: Tool, Synopsis: "REPORT ...", Summary: "Merge the JSON reports of Plumbline checks, read from exactly the files named; a report that is missing is a check that did not run.", Check: &Check{},
		// Its working directory holds the reports, which a step running
		// the repository's code can write to: a config is named, and
		// pinned by the fetch step's digest, or there is none.
		Verdict: true,
		// Its live heap is the reports it merges, most of what it holds:
		// collected at half the default growth, four reports at the
		// findings budget peak at 137-146 MiB against 168-196 MiB, as fast
		// (test/hostile), well inside the Task's 256 MiB.
		GCPercent: 50}
}

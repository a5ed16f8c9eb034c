package delta

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	changeset "github.com/plumbline/plumbline/pkg/change"
	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/config"
	hl "github.com/plumbline/plumbline/pkg/helm"
	"github.com/plumbline/plumbline/pkg/kustomize"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tree"
)

// Tool names the diff's reports.
const Tool = "k8s-diff"

// Check is plumbline diff: the rendered Kubernetes diff between a base
// revision (or a base checkout) and the working tree.
type Check struct {
	base, baseDir string
	cache, kube   string
	helm          string
	repoURLs      cli.List
	chartRepos    cli.List
	production    cli.List
	fetch         bool
}

var (
	_ cli.Check        = (*Check)(nil)
	_ cli.Configurable = (*Check)(nil)
)

func (c *Check) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.base, "base", "", "the base `REVISION` (a branch, a tag, a commit) of the repository's git history")
	fs.StringVar(&c.baseDir, "base-dir", "", "a checkout of the base in `DIR`, instead of --base (the pipeline's fetch step writes one)")
	fs.StringVar(&c.cache, "chart-cache", "", "`DIR` of packaged charts (policy.chartCache)")
	fs.StringVar(&c.kube, "kubernetes-version", "", "the cluster's Kubernetes `VERSION` (kubernetes.version): Helm's .Capabilities")
	fs.StringVar(&c.helm, "helm", "auto", "render the charts the repository deploys: auto or off (policy.helm)")
	fs.Var(&c.chartRepos, "chart-repo", "with --fetch-charts, a chart repository or OCI registry `URL` charts the cache lacks are fetched from (policy.chartRepos; repeatable)")
	fs.BoolVar(&c.fetch, "fetch-charts", false, "fetch the charts the cache lacks from the --chart-repo repositories (and no other), keeping them in the --chart-cache")
	fs.Var(&c.production, "production", "`GLOB`s of the overlays and release files that deploy to production (policy.production; repeatable): a deletion or an immutable change there is an error; default: a path segment prod or production")
	fs.Var(&c.repoURLs, "repo-url", "`URL`s this repository is cloned from, besides .git/config's remotes (policy.repoURLs)")
}

// Configure takes the policy check's rendering settings from the config.
func (c *Check) Configure(cfg *config.Config) error {
	if p := cfg.Policy; p != nil {
		if c.cache == "" && p.ChartCache != "" {
			c.cache = filepath.Join(cfg.Dir, p.ChartCache)
		}
		if c.helm == "auto" && p.Helm != "" {
			c.helm = p.Helm
		}
		if len(c.repoURLs) == 0 {
			c.repoURLs = p.RepoURLs
		}
		if len(c.chartRepos) == 0 {
			c.chartRepos = p.ChartRepos
		}
		if len(c.production) == 0 {
			c.production = p.Production
		}
	}
	if k := cfg.Kubernetes; k != nil && c.kube == "" {
		c.kube = k.Version
	}
	return nil
}

func (c *Check) Run(ctx context.Context, req cli.Request) (*report.Report, error) {
	if (c.base == "") == (c.baseDir == "") {
		return nil, cli.Usagef("name the base: --base REVISION or --base-dir DIR")
	}
	if len(req.Paths) != 1 {
		return nil, cli.Usagef("one repository DIR")
	}
	root, err := filepath.Abs(req.Paths[0])
	if err != nil {
		return nil, err
	}
	baseDir := c.baseDir
	if c.base != "" {
		tmp, err := os.MkdirTemp("", "plumbline-base-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		// What the change deploys is counted from where HEAD left the
		// base (their merge base), as a pull request's diff is.
		base, err := changeset.MergeBase(ctx, root, c.base)
		if err != nil {
			return nil, cli.Usagef("%w", err)
		}
		if err := Export(ctx, root, base, tmp); err != nil {
			return nil, cli.Usagef("%w", err)
		}
		baseDir = tmp
	}
	var helm *kustomize.HelmOptions
	switch c.helm {
	case "auto", "":
		helm = &kustomize.HelmOptions{KubeVersion: c.kube, Cache: c.cache, RepoURLs: append(tree.GitRemotes(root), c.repoURLs...)}
		if c.fetch {
			helm.Fetch = &hl.Remote{Allow: c.chartRepos, Store: hl.Cache(c.cache)}
		}
	case "off":
	default:
		return nil, cli.Usagef("--helm %q: want auto or off", c.helm)
	}
	opt := kustomize.Options{Root: root, Helm: helm}
	head, err := kustomize.Render(ctx, opt)
	if err != nil {
		return nil, fmt.Errorf("render the head: %w", err)
	}
	r, err := Report(ctx, baseDir, head, opt, Production(c.production))
	if err != nil {
		return nil, err
	}
	r.Tool = Tool
	return r, nil
}

// Report renders the base checked out in dir as head was rendered (with
// opt: its root, paths and kustomizations taken to dir) and reports what
// changes between them; prod says which groups are production.
func Report(ctx context.Context, dir string, head *kustomize.Result, opt kustomize.Options, prod Production) (*report.Report, error) {
	root, err := filepath.Abs(opt.Root)
	if err != nil {
		return nil, err
	}
	rebase := func(ps []string) []string {
		var out []string
		for _, p := range ps {
			abs := p
			if !filepath.IsAbs(p) {
				abs = filepath.Join(root, p)
			}
			if rel, err := filepath.Rel(root, abs); err == nil && !strings.HasPrefix(rel, "..") {
				out = append(out, filepath.Join(dir, rel))
			}
		}
		return out
	}
	base, err := kustomize.Render(ctx, kustomize.Options{Root: dir, Paths: rebase(opt.Paths), Dirs: rebase(opt.Dirs), Helm: opt.Helm, Timeout: opt.Timeout})
	if err != nil {
		return nil, fmt.Errorf("render the base: %w", err)
	}
	changes, unknown := Compare(FromResult(base), FromResult(head))
	at := map[string][2]any{}
	for _, res := range []*kustomize.Result{base, head} {
		for _, b := range res.Builds {
			line := 0
			if b.Helm != nil {
				line = b.Helm.Line
			}
			at[b.Dir] = [2]any{b.File, line}
		}
	}
	r := &report.Report{Findings: Findings(changes, unknown, func(g string) (string, int) {
		v := at[g]
		f, _ := v[0].(string)
		l, _ := v[1].(int)
		return f, l
	}, prod), Counts: map[string]int{}}
	groups := map[string]bool{}
	for _, c := range changes {
		r.Counts["k8s."+string(c.Op)]++
		groups[c.Group] = true
	}
	r.Counts["k8s.groups"] = len(groups)
	r.Summary.Files = len(head.Builds)
	return r, nil
}

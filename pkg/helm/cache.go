package helm

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/plumbline/plumbline/pkg/tree"
)

// Cache is a directory of packaged charts as `helm pull -d DIR/KEY`
// leaves them, KEY being the repository's URL without its scheme: the
// chart NAME at VERSION of https://HOST/PATH or oci://HOST/PATH is
// DIR/HOST/PATH/NAME-VERSION.tgz. It is the operator's (a volume, an
// image), filled from trusted machines; nothing here fetches.
type Cache string

// NotCached is a chart the cache does not hold.
type NotCached struct {
	Repo, Name, Version string
	Dir                 string // where it would be
	Configured          bool   // whether there is a cache at all
}

func (e *NotCached) Error() string {
	pull := fmt.Sprintf("helm pull --repo %s %s --version %s -d %s", e.Repo, e.Name, e.Version, e.Dir)
	if strings.HasPrefix(e.Repo, "oci://") {
		pull = fmt.Sprintf("helm pull %s/%s --version %s -d %s", strings.TrimSuffix(e.Repo, "/"), e.Name, e.Version, e.Dir)
	}
	if !e.Configured {
		return fmt.Sprintf("chart %s %s of %s is not rendered: rendering is offline and no chart cache is configured (policy.chartCache, --chart-cache CACHE); with one, add the chart with `%s`", e.Name, e.Version, e.Repo, pull)
	}
	return fmt.Sprintf("chart %s %s of %s is not in the chart cache, so it is not rendered offline; add it with `%s`", e.Name, e.Version, e.Repo, pull)
}

// Key is the cache directory of a repository URL.
func Key(repo string) string {
	u := strings.TrimSpace(repo)
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexByte(u, '@'); i >= 0 && i < strings.IndexByte(u+"/", '/') {
		u = u[i+1:] // no credentials in a path
	}
	u = strings.Trim(filepath.Clean("/"+strings.TrimSuffix(u, "/")), "/")
	return u
}

// Find returns the packaged chart name of repo whose version is version,
// or, when version is a constraint (ArgoCD's "1.2.*", Flux's ">=4.0.0"),
// the highest cached version that meets it.
func (c Cache) Find(repo, name, version string) (data []byte, found string, err error) {
	key := Key(repo)
	dir := filepath.Join(string(c), filepath.FromSlash(key))
	missing := &NotCached{Repo: repo, Name: name, Version: version, Dir: filepath.Join(string(c), key), Configured: c != ""}
	if c == "" {
		missing.Dir = filepath.Join("CACHE", key)
	}
	if c == "" || key == "" || strings.Contains(name, "/") || name == "" {
		return nil, "", missing
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, "", missing
	}
	want := strings.TrimPrefix(version, "v")
	exact, err := semver.StrictNewVersion(want)
	var cons *semver.Constraints
	if err != nil {
		if cons, err = semver.NewConstraint(version); err != nil && version != "" {
			return nil, "", fmt.Errorf("chart %s: version %q is neither a version nor a constraint: %w", name, version, err)
		}
	}
	var best *semver.Version
	bestFile := ""
	for _, e := range entries {
		v, ok := strings.CutPrefix(e.Name(), name+"-")
		if !ok || !strings.HasSuffix(v, ".tgz") {
			continue
		}
		v = strings.TrimSuffix(v, ".tgz")
		sv, err := semver.NewVersion(v)
		if err != nil {
			continue
		}
		switch {
		case exact != nil && !sv.Equal(exact):
			continue
		case exact == nil && cons != nil && !cons.Check(sv):
			continue
		}
		if best == nil || sv.GreaterThan(best) {
			best, bestFile = sv, e.Name()
		}
	}
	if best == nil {
		return nil, "", missing
	}
	data, err = tree.ReadFile(dir, filepath.Join(dir, bestFile), MaxChart)
	if err != nil {
		return nil, "", fmt.Errorf("chart cache: %w", err)
	}
	return data, best.Original(), nil
}

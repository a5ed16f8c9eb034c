package helm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"sigs.k8s.io/yaml"
)

// Fetcher gets a packaged chart that is not in the cache: the chart name
// of repo at version (or the highest version a constraint allows), and
// the version it got.
type Fetcher interface {
	Fetch(ctx context.Context, repo, name, version string) (data []byte, got string, err error)
}

var _ Fetcher = (*Remote)(nil)

// Budgets of a fetch: a repository's index.yaml, and the time one chart
// may take (index and archive together).
var (
	MaxIndex            int64 = 32 << 20
	DefaultFetchTimeout       = 30 * time.Second
)

// chartLayer is the media type of a chart in an OCI registry.
const chartLayer = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"

// Remote fetches charts from the chart repositories (index.yaml over
// HTTPS) and OCI registries an allowlist names, and from no other: the
// URL comes from a pull request's Application or HelmRelease, the
// allowlist from the base branch, so a pull request cannot make the check
// connect where the operator did not say. It sends no credentials.
type Remote struct {
	// Allow are repository URLs (policy.chartRepos): a repository is
	// allowed when its URL is one of them, or below one of them on a
	// path boundary, with the same scheme.
	Allow []string
	// Store keeps what was fetched for the next run, when it is a
	// writable cache; "" keeps nothing.
	Store Cache
	// Transport is how requests go; nil is http.DefaultTransport.
	Transport http.RoundTripper
	// Timeout bounds one chart's fetch; 0 is DefaultFetchTimeout.
	Timeout time.Duration

	mu      sync.Mutex
	indexes map[string]*fetchedIndex
}

type fetchedIndex struct {
	once sync.Once
	idx  *repoIndex
	err  error
}

// Refused is a repository the allowlist does not name.
type Refused struct{ Repo string }

func (e *Refused) Error() string {
	return fmt.Sprintf("chart repository %s is not in policy.chartRepos (a pull request's are its base branch's), so nothing is fetched from it: a pull request cannot choose where the check connects to", e.Repo)
}

// Allowed reports whether repo may be fetched from.
func (r *Remote) Allowed(repo string) bool {
	scheme, key, ok := splitRepo(repo)
	if !ok {
		return false
	}
	for _, a := range r.Allow {
		as, ak, ok := splitRepo(a)
		if ok && as == scheme && (key == ak || strings.HasPrefix(key, ak+"/")) {
			return true
		}
	}
	return false
}

// splitRepo is a repository URL's scheme and Key, for URLs that can be
// fetched: https, http and oci, with a host, no credentials, no query.
func splitRepo(repo string) (scheme, key string, ok bool) {
	u, err := url.Parse(strings.TrimSpace(repo))
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "", false
	}
	switch u.Scheme {
	case "https", "http", "oci":
	default:
		return "", "", false
	}
	return u.Scheme, Key(repo), true
}

func (r *Remote) Fetch(ctx context.Context, repo, chart, version string) ([]byte, string, error) {
	if !r.Allowed(repo) {
		return nil, "", &Refused{Repo: repo}
	}
	if chart == "" || strings.ContainsAny(chart, "/\\") || strings.HasPrefix(chart, ".") {
		return nil, "", fmt.Errorf("chart name %q", chart)
	}
	timeout := r.Timeout
	if timeout == 0 {
		timeout = DefaultFetchTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var (
		data []byte
		got  string
		err  error
	)
	if strings.HasPrefix(repo, "oci://") {
		data, got, err = r.fetchOCI(ctx, repo, chart, version)
	} else {
		data, got, err = r.fetchHTTP(ctx, repo, chart, version)
	}
	if err != nil {
		return nil, "", fmt.Errorf("fetch chart %s %s of %s: %w", chart, version, repo, err)
	}
	r.keep(repo, chart, got, data)
	return data, got, nil
}

// keep writes a fetched chart into the store, when it can: a read-only
// cache volume is no failure.
func (r *Remote) keep(repo, chart, version string, data []byte) {
	if r.Store == "" {
		return
	}
	dir := filepath.Join(string(r.Store), filepath.FromSlash(Key(repo)))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".fetch-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return
	}
	if os.Rename(tmp.Name(), filepath.Join(dir, chart+"-"+version+".tgz")) != nil {
		os.Remove(tmp.Name())
	}
}

func (r *Remote) client() *http.Client {
	t := r.Transport
	if t == nil {
		t = http.DefaultTransport
	}
	return &http.Client{Transport: t, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("more than 10 redirects")
		}
		if req.URL.Scheme != "https" && req.URL.Scheme != "http" {
			return fmt.Errorf("redirect to %s", req.URL.Scheme)
		}
		return nil
	}}
}

// get reads url's body, at most limit bytes.
func (r *Remote) get(ctx context.Context, u string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "plumbline")
	resp, err := r.client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", redact(u), resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", redact(u), err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("GET %s: larger than %d MiB", redact(u), limit>>20)
	}
	return data, nil
}

// redact drops a URL's query: a chart URL of an index may carry a token.
func redact(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

// repoIndex is the part of a repository's index.yaml a fetch reads.
type repoIndex struct {
	APIVersion string                   `json:"apiVersion"`
	Entries    map[string][]*indexEntry `json:"entries"`
}

type indexEntry struct {
	Version string   `json:"version"`
	URLs    []string `json:"urls"`
	Digest  string   `json:"digest"`
}

func (r *Remote) index(ctx context.Context, repo string) (*repoIndex, error) {
	r.mu.Lock()
	if r.indexes == nil {
		r.indexes = map[string]*fetchedIndex{}
	}
	f := r.indexes[repo]
	if f == nil {
		f = &fetchedIndex{}
		r.indexes[repo] = f
	}
	r.mu.Unlock()
	f.once.Do(func() {
		data, err := r.get(ctx, strings.TrimSuffix(repo, "/")+"/index.yaml", MaxIndex)
		if err != nil {
			f.err = err
			return
		}
		f.idx, f.err = parseIndex(data)
	})
	return f.idx, f.err
}

// parseIndex reads an index as helm does (JSON when it is JSON, else
// YAML), its versions sorted highest first.
func parseIndex(data []byte) (*repoIndex, error) {
	idx := &repoIndex{}
	var err error
	if json.Valid(data) {
		err = json.Unmarshal(data, idx)
	} else {
		err = yaml.Unmarshal(data, idx)
	}
	if err != nil {
		return nil, fmt.Errorf("index.yaml: %w", err)
	}
	if idx.APIVersion == "" {
		return nil, errors.New("index.yaml: no apiVersion")
	}
	for k, vs := range idx.Entries {
		vs = slices.DeleteFunc(vs, func(e *indexEntry) bool { return e == nil })
		idx.Entries[k] = vs
		slices.SortStableFunc(vs, func(a, b *indexEntry) int {
			va, ea := semver.NewVersion(a.Version)
			vb, eb := semver.NewVersion(b.Version)
			switch {
			case ea != nil && eb != nil:
				return 0
			case ea != nil:
				return 1
			case eb != nil:
				return -1
			}
			return vb.Compare(va)
		})
	}
	return idx, nil
}

// pick chooses the version as helm's index does: the one written exactly
// so, else the highest the constraint allows ("" is the highest stable).
func (idx *repoIndex) pick(chart, version string) (*indexEntry, error) {
	vs := idx.Entries[chart]
	if len(vs) == 0 {
		return nil, fmt.Errorf("the repository's index has no chart %s", chart)
	}
	for _, e := range vs {
		if e != nil && version != "" && e.Version == version {
			return e, nil
		}
	}
	cons, err := constraint(version)
	if err != nil {
		return nil, err
	}
	for _, e := range vs {
		if e == nil {
			continue
		}
		if v, err := semver.NewVersion(e.Version); err == nil && cons.Check(v) {
			return e, nil
		}
	}
	return nil, fmt.Errorf("the repository's index has no version of %s that is %s", chart, version)
}

func constraint(version string) (*semver.Constraints, error) {
	if version == "" {
		version = "*"
	}
	c, err := semver.NewConstraint(version)
	if err != nil {
		return nil, fmt.Errorf("version %q is neither a version nor a constraint: %w", version, err)
	}
	return c, nil
}

func (r *Remote) fetchHTTP(ctx context.Context, repo, chart, version string) ([]byte, string, error) {
	idx, err := r.index(ctx, repo)
	if err != nil {
		return nil, "", err
	}
	e, err := idx.pick(chart, version)
	if err != nil {
		return nil, "", err
	}
	if len(e.URLs) == 0 {
		return nil, "", fmt.Errorf("the index names no URL for %s %s", chart, e.Version)
	}
	u, err := resolveURL(repo, e.URLs[0])
	if err != nil {
		return nil, "", err
	}
	data, err := r.get(ctx, u, MaxChart)
	if err != nil {
		return nil, "", err
	}
	// helm pull does not check the index's digest; a chart that is not
	// the one the index lists is refused here.
	if e.Digest != "" {
		sum := sha256.Sum256(data)
		if !strings.EqualFold(strings.TrimPrefix(e.Digest, "sha256:"), hex.EncodeToString(sum[:])) {
			return nil, "", fmt.Errorf("%s: its sha256 is not the index's digest %s", redact(u), e.Digest)
		}
	}
	return data, e.Version, nil
}

// resolveURL is a chart URL of the index, relative to the repository's
// URL as helm resolves it.
func resolveURL(base, ref string) (string, error) {
	ru, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("chart URL %q: %w", ref, err)
	}
	if ru.IsAbs() {
		if ru.Scheme != "https" && ru.Scheme != "http" {
			return "", fmt.Errorf("chart URL %q: not http or https", ref)
		}
		return ref, nil
	}
	bu, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	bu.RawPath = strings.TrimSuffix(bu.RawPath, "/") + "/"
	bu.Path = strings.TrimSuffix(bu.Path, "/") + "/"
	out := bu.ResolveReference(ru)
	out.RawQuery = bu.RawQuery
	return out.String(), nil
}

func (r *Remote) fetchOCI(ctx context.Context, repo, chart, version string) ([]byte, string, error) {
	base := strings.TrimSuffix(strings.TrimPrefix(repo, "oci://"), "/") + "/" + chart
	rp, err := name.NewRepository(base)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", base, err)
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithTransport(r.transport())}
	tag := version
	if _, err := semver.StrictNewVersion(strings.TrimPrefix(version, "v")); err != nil || version == "" {
		// A constraint: the highest tag that meets it, as helm chooses.
		cons, err := constraint(version)
		if err != nil {
			return nil, "", err
		}
		tags, err := remote.List(rp, opts...)
		if err != nil {
			return nil, "", err
		}
		var best *semver.Version
		for _, t := range tags {
			v, err := semver.NewVersion(strings.ReplaceAll(t, "_", "+"))
			if err == nil && cons.Check(v) && (best == nil || v.GreaterThan(best)) {
				best = v
			}
		}
		if best == nil {
			return nil, "", fmt.Errorf("%s has no tag that is %s", base, version)
		}
		tag = best.Original()
	}
	ref := rp.Tag(strings.ReplaceAll(tag, "+", "_"))
	img, err := remote.Image(ref, opts...)
	if err != nil {
		return nil, "", err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, "", err
	}
	for _, l := range layers {
		mt, err := l.MediaType()
		if err != nil || string(mt) != chartLayer {
			continue
		}
		if size, err := l.Size(); err != nil || size > MaxChart {
			return nil, "", fmt.Errorf("%s: the chart is larger than %d MiB", ref, MaxChart>>20)
		}
		rc, err := l.Compressed()
		if err != nil {
			return nil, "", err
		}
		defer rc.Close()
		var buf bytes.Buffer
		if _, err := io.Copy(&buf, io.LimitReader(rc, MaxChart+1)); err != nil {
			return nil, "", err
		}
		if int64(buf.Len()) > MaxChart {
			return nil, "", fmt.Errorf("%s: the chart is larger than %d MiB", ref, MaxChart>>20)
		}
		return buf.Bytes(), tag, nil
	}
	return nil, "", fmt.Errorf("%s is not a Helm chart (no layer of %s)", ref, chartLayer)
}

func (r *Remote) transport() http.RoundTripper {
	if r.Transport != nil {
		return r.Transport
	}
	return http.DefaultTransport
}

package helm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/plumbline/plumbline/internal/need"
)

// helmCLI runs the helm CLI with a home of its own.
func helmCLI(t *testing.T, bin, home string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"HOME=" + home, "HELM_CACHE_HOME=" + home, "HELM_CONFIG_HOME=" + home, "HELM_DATA_HOME=" + home, "PATH=/usr/bin:/bin"}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// packaged packages the corpus's podinfo chart at each version with the
// helm CLI into a new directory.
func packaged(t *testing.T, bin, home string, versions ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, v := range versions {
		if out, err := helmCLI(t, bin, home, "package", filepath.Join(corpus, "podinfo"), "--version", v, "-d", dir); err != nil {
			t.Fatalf("helm package: %v\n%s", err, out)
		}
	}
	return dir
}

var fetchVersions = []string{"1.0.0", "1.1.0", "1.2.0-rc.1", "2.0.0"}

// TestFetchAsHelmPull serves a chart repository made by `helm repo
// index` and an OCI registry `helm push` filled, and fetches from each
// as `helm pull` does: the same version chosen, the same bytes.
func TestFetchAsHelmPull(t *testing.T) {
	bin := need.Tool(t, "helm", "v4.3.2")
	home := t.TempDir()
	dir := packaged(t, bin, home, fetchVersions...)
	if out, err := helmCLI(t, bin, home, "repo", "index", dir); err != nil {
		t.Fatalf("helm repo index: %v\n%s", err, out)
	}
	repo := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer repo.Close()
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer reg.Close()
	oci := "oci://" + strings.TrimPrefix(reg.URL, "http://") + "/charts"
	for _, v := range fetchVersions {
		if out, err := helmCLI(t, bin, home, "push", filepath.Join(dir, "podinfo-"+v+".tgz"), oci, "--plain-http"); err != nil {
			t.Fatalf("helm push: %v\n%s", err, out)
		}
	}
	for _, src := range []struct{ name, url string }{{"repository", repo.URL + "/"}, {"oci", oci}} {
		for _, version := range []string{"", "1.0.0", "~1.0", ">=1.0.0 <2.0.0", "1.x", "1.2.0-rc.1", "9.9.9", "^3"} {
			t.Run(src.name+"/"+version, func(t *testing.T) {
				pulled := t.TempDir()
				args := []string{"pull", "podinfo", "--repo", src.url, "-d", pulled}
				if src.name == "oci" {
					args = []string{"pull", src.url + "/podinfo", "--plain-http", "-d", pulled}
				}
				if version != "" {
					args = append(args, "--version", version)
				}
				out, cliErr := helmCLI(t, bin, home, args...)
				r := &Remote{Allow: []string{src.url}}
				data, got, err := r.Fetch(context.Background(), src.url, "podinfo", version)
				if (cliErr != nil) != (err != nil) {
					t.Fatalf("helm pull: %v %s\nFetch: %v", cliErr, out, err)
				}
				if err != nil {
					t.Logf("both refuse: %v", err)
					return
				}
				files, _ := filepath.Glob(filepath.Join(pulled, "*.tgz"))
				if len(files) != 1 {
					t.Fatalf("helm pull left %v", files)
				}
				want, _ := os.ReadFile(files[0])
				if base := filepath.Base(files[0]); base != "podinfo-"+got+".tgz" {
					t.Errorf("helm pull got %s, Fetch version %s", base, got)
				}
				if !bytes.Equal(data, want) {
					t.Errorf("Fetch's chart is not helm pull's (%d and %d bytes)", len(data), len(want))
				}
				ch, err := LoadArchive(data)
				if err != nil {
					t.Fatal(err)
				}
				if ch.Metadata.Version != got {
					t.Errorf("chart version %s, Fetch said %s", ch.Metadata.Version, got)
				}
			})
		}
	}
}

// TestFetchRefused: a repository the allowlist does not name is never
// asked for anything.
func TestFetchRefused(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	r := &Remote{Allow: []string{"https://charts.example.org/stable", "oci://ghcr.io/home-operations", srv.URL + "/allowed"}}
	for _, repo := range []string{
		srv.URL,                                 // the allowed one's parent
		srv.URL + "/allowedx",                   // not on a path boundary
		"http://" + host + "/allowed/../secret", // cleaned, it is outside
		"oci://" + host + "/allowed",            // another scheme
		"https://charts.example.org",            // the parent
		"http://charts.example.org/stable",      // plain HTTP for an https entry
		"https://user:pw@" + host + "/allowed",  // credentials
		srv.URL + "/allowed?x=1",                // a query
		"file:///etc",
		"",
	} {
		if _, _, err := r.Fetch(context.Background(), repo, "podinfo", "1.0.0"); !errors.As(err, new(*Refused)) {
			t.Errorf("%q: %v, want refused", repo, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the server was asked %d times", n)
	}
	for _, repo := range []string{"https://charts.example.org/stable/", "oci://ghcr.io/home-operations/charts", srv.URL + "/allowed"} {
		if !r.Allowed(repo) {
			t.Errorf("%s is not allowed", repo)
		}
	}
}

// TestFetchBudgets: an index or a chart too large, a server that does not
// answer, a chart that is not the index's, a redirect out of HTTP.
func TestFetchBudgets(t *testing.T) {
	bin := need.Tool(t, "helm", "v4.3.2")
	home := t.TempDir()
	dir := packaged(t, bin, home, "1.0.0")
	if out, err := helmCLI(t, bin, home, "repo", "index", dir); err != nil {
		t.Fatalf("helm repo index: %v\n%s", err, out)
	}
	index, _ := os.ReadFile(filepath.Join(dir, "index.yaml"))
	chart, _ := os.ReadFile(filepath.Join(dir, "podinfo-1.0.0.tgz"))
	mux := http.NewServeMux()
	mux.HandleFunc("/big/index.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Write(index)
		w.Write(bytes.Repeat([]byte("# padding\n"), int(MaxIndex/10+1)))
	})
	mux.HandleFunc("/slow/index.yaml", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	mux.HandleFunc("/forged/index.yaml", func(w http.ResponseWriter, r *http.Request) { w.Write(index) })
	mux.HandleFunc("/forged/podinfo-1.0.0.tgz", func(w http.ResponseWriter, r *http.Request) { w.Write(append(chart, 0)) })
	mux.HandleFunc("/away/index.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Replace(index, []byte("podinfo-1.0.0.tgz"), []byte("file:///etc/passwd"), 1))
	})
	mux.HandleFunc("/huge/index.yaml", func(w http.ResponseWriter, r *http.Request) { w.Write(index) })
	mux.HandleFunc("/huge/podinfo-1.0.0.tgz", func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, MaxChart+1))
	})
	mux.HandleFunc("/gone/index.yaml", http.NotFound)
	mux.HandleFunc("/junk/index.yaml", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("entries: [")) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, tc := range []struct{ path, want string }{
		{"big", "larger than 32 MiB"},
		{"slow", "context deadline exceeded"},
		{"forged", "is not the index's digest"},
		{"away", "not http or https"},
		{"huge", "larger than"},
		{"gone", "404 Not Found"},
		{"junk", "index.yaml"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			repo := srv.URL + "/" + tc.path
			r := &Remote{Allow: []string{repo}, Timeout: 2 * time.Second}
			start := time.Now()
			_, _, err := r.Fetch(context.Background(), repo, "podinfo", "1.0.0")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v, want %q", err, tc.want)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

// TestFetchKeeps: a fetched chart is in the cache for the next run.
func TestFetchKeeps(t *testing.T) {
	bin := need.Tool(t, "helm", "v4.3.2")
	home := t.TempDir()
	dir := packaged(t, bin, home, "1.0.0", "1.1.0")
	if out, err := helmCLI(t, bin, home, "repo", "index", dir); err != nil {
		t.Fatalf("helm repo index: %v\n%s", err, out)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	store := Cache(t.TempDir())
	r := &Remote{Allow: []string{srv.URL}, Store: store}
	data, got, err := r.Fetch(context.Background(), srv.URL, "podinfo", "^1.0")
	if err != nil || got != "1.1.0" {
		t.Fatalf("Fetch: %s, %v", got, err)
	}
	cached, v, err := store.Find(srv.URL, "podinfo", "1.1.0")
	if err != nil || v != "1.1.0" || !bytes.Equal(cached, data) {
		t.Fatalf("the cache has %s (%d bytes), %v", v, len(cached), err)
	}
}

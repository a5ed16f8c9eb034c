package dnszone

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/report"
)

// Technitium DNS Server cannot run here. These tests replay answers in the
// shapes Technitium's API documentation (APIDOCS.md) gives: the JSON
// envelope with "status": "ok" | "error" | "invalid-token" and
// "errorMessage", and the zone export, which is an RFC 1035 zone file.
const (
	docInvalidToken = `{
	"status": "invalid-token",
	"errorMessage": "Invalid token or session expired."
}`
	docError = `{
	"status": "error",
	"errorMessage": "No such zone was found: home.arpa",
	"stackTrace": "application stack trace",
	"innerErrorMessage": "inner exception message"
}`
)

func technitiumServer(t *testing.T, token string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if got == "" {
			got = r.URL.Query().Get("token")
		}
		switch {
		case r.URL.Path != "/api/zones/export":
			http.NotFound(w, r)
		case got != token:
			w.Write([]byte(docInvalidToken)) // Technitium answers 200 with the envelope
		case r.URL.Query().Get("zone") != "home.arpa":
			w.Write([]byte(docError))
		default:
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte(live))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestTechnitiumPlan(t *testing.T) {
	srv := technitiumServer(t, "s3cret")
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	liveURL := "technitium+" + srv.URL + "/home.arpa"
	// httptest serves plain http: the token in the clear only on request.
	_, err := run(t, "--desired", "testdata/desired/home.arpa.zone", "--live", liveURL, "--token-file", tokenFile)
	if err == nil || !strings.Contains(err.Error(), "plain http would send the API token unencrypted") {
		t.Errorf("plain http without --allow-http: %v", err)
	}
	run := func(t *testing.T, args ...string) (*report.Report, error) {
		return run(t, append(args, "--allow-http")...)
	}
	for _, u := range []string{liveURL, liveURL + "?auth=query"} {
		r, err := run(t, "--desired", "testdata/desired/home.arpa.zone", "--live", u, "--token-file", tokenFile)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if diff := cmp.Diff(wantPlan, plan(r)); diff != "" {
			t.Errorf("%s: plan (-want +got):\n%s", u, diff)
		}
	}
	t.Setenv("WRONG_TOKEN", "nope")
	_, err = run(t, "--desired", "testdata/desired/home.arpa.zone", "--live", liveURL, "--token-env", "WRONG_TOKEN")
	if err == nil || !strings.Contains(err.Error(), "the API token is invalid or expired (invalid-token)") || strings.Contains(err.Error(), "nope") {
		t.Errorf("invalid token: %v", err)
	}
	_, err = run(t, "--desired", "testdata/desired/home.arpa.zone", "--live", "technitium+"+srv.URL+"/other.arpa", "--token-file", tokenFile)
	if err == nil || !strings.Contains(err.Error(), "No such zone was found: home.arpa") {
		t.Errorf("error envelope: %v", err)
	}
	_, err = run(t, "--desired", "testdata/desired/home.arpa.zone", "--live", liveURL)
	if err == nil || !strings.Contains(err.Error(), "no API token") {
		t.Errorf("no token: %v", err)
	}
}

// A server (or a proxy in front of it) that echoes the request URL, with
// control characters, in its error: the token is not printed, nor are
// escapes that would rewrite the log.
func TestTechnitiumErrorLeaksNothing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"status": "error", "errorMessage": "bad request %s\u001b[2K\nreport: PASS"}`, r.URL.String())
	}))
	t.Cleanup(srv.Close)
	t.Setenv("TOKEN", "tK3n-0123456789")
	_, err := run(t, "--desired", "testdata/desired/home.arpa.zone", "--live", "technitium+"+srv.URL+"/home.arpa?auth=query",
		"--token-env", "TOKEN", "--allow-http")
	if err == nil || strings.Contains(err.Error(), "tK3n") || strings.ContainsAny(err.Error(), "\x1b\n") ||
		!strings.Contains(err.Error(), "token=[token]") {
		t.Errorf("error = %q", err)
	}
}

// A zone's allowHTTP in .plumbline.yaml is how a homelab reaches
// Technitium's console on plain HTTP (port 5380); in a pipeline (a
// credentials directory) the token goes there only when the operator's
// allowed-hosts lists http://HOST:PORT too: the repository asks, the
// operator grants, host by host.
func TestTechnitiumAllowHTTPPerZone(t *testing.T) {
	srv := technitiumServer(t, "s3cret")
	host := strings.TrimPrefix(srv.URL, "http://")
	dir := t.TempDir()
	creds := filepath.Join(dir, "creds")
	os.MkdirAll(creds, 0o755)
	os.WriteFile(filepath.Join(creds, "technitium.token"), []byte("s3cret\n"), 0o600)
	desired, _ := os.ReadFile(filepath.Join("testdata", "desired", "home.arpa.zone"))
	os.WriteFile(filepath.Join(dir, "home.arpa.zone"), desired, 0o644)
	cfg := func(allow bool) {
		os.WriteFile(filepath.Join(dir, ".plumbline.yaml"), []byte(fmt.Sprintf("version: 1\ndns:\n  zones:\n    - zone: home.arpa\n      desired: home.arpa.zone\n"+
			"      tokenFile: technitium.token\n      allowHTTP: %v\n      live: [technitium+http://%s/home.arpa]\n", allow, host)), 0o644)
	}
	t.Chdir(dir)
	runIt := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := cli.Main(context.Background(), cli.Command{Name: Tool, Check: &Check{}},
			append([]string{"--format", "json", "--fail-on", "never"}, append(args, ".")...), cli.Env{Stdout: &out, Stderr: &errOut})
		return code, out.String(), errOut.String()
	}
	// On a laptop (no credentials directory): the config's word suffices.
	os.WriteFile(filepath.Join(dir, "technitium.token"), []byte("s3cret\n"), 0o600)
	cfg(false)
	if code, _, stderr := runIt(); code != cli.ExitBroken || !strings.Contains(stderr, "plain http would send the API token unencrypted") {
		t.Errorf("no allowHTTP: exit %d %s", code, stderr)
	}
	cfg(true)
	if code, out, stderr := runIt(); code != cli.ExitPass || !strings.Contains(out, "dns/create") {
		t.Errorf("allowHTTP on a laptop: exit %d %s", code, stderr)
	}
	// In a pipeline: the host alone in allowed-hosts is not enough.
	os.WriteFile(filepath.Join(creds, AllowedHosts), []byte(host+"\n"), 0o644)
	if code, _, stderr := runIt("--credentials-dir", creds); code != cli.ExitBroken || !strings.Contains(stderr, "does not list http://"+host) {
		t.Errorf("allowHTTP without the operator's http:// line: exit %d %s", code, stderr)
	}
	os.WriteFile(filepath.Join(creds, AllowedHosts), []byte("http://"+host+"\n"), 0o644)
	if code, _, stderr := runIt("--credentials-dir", creds); code != cli.ExitPass {
		t.Errorf("allowHTTP granted by the operator: exit %d %s", code, stderr)
	}
}

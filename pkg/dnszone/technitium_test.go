package dnszone

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

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

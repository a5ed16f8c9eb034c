package dnszone

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
	_, err := run(t, "--desired", "testdata/desired/home.arpa.zone", "--live", liveURL, "--token-env", "WRONG_TOKEN")
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

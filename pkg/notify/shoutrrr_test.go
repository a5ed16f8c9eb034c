package notify_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/plumbline/plumbline/pkg/notify"
	"github.com/plumbline/plumbline/pkg/report"
)

// TestShoutrrr sends one run to ntfy, Gotify and a generic webhook through
// shoutrrr, each a recording HTTP server standing for the service (no
// real one runs here): each gets the verdict, or the text a scheduled run
// gives; a service that fails is an error naming neither URL nor token.
func TestShoutrrr(t *testing.T) {
	var mu sync.Mutex
	got := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got[r.URL.Path] = string(body) + " " + r.URL.Query().Get("token") + r.Header.Get("Title")
		mu.Unlock()
		if r.URL.Path == "/broken" {
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id": 1}`)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	const gotifyToken = "Aabcdefghijklmn"
	s := &notify.Shoutrrr{URLs: []string{
		"ntfy://" + host + "/homelab?scheme=http",
		"gotify://" + host + "/" + gotifyToken + "?disabletls=yes",
		"generic+http://" + host + "/hook",
	}}
	r := &report.Report{Tool: "report", Summary: report.Summary{Errors: 2, Passed: false}, Checks: []report.Part{{Tool: "dns-zone-diff", Status: report.Missing}}}
	if err := s.Notify(context.Background(), r, ""); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/homelab": "Plumbline failed: 2 errors", "/message": "Plumbline failed: 2 errors", "/hook": "dns-zone-diff: missing"} {
		if !strings.Contains(got[path], want) {
			t.Errorf("%s got %q, want %q in it", path, got[path], want)
		}
	}
	if !strings.Contains(got["/message"], gotifyToken) {
		t.Errorf("gotify was not sent its token: %q", got["/message"])
	}
	chat := s.WithText("drift appeared in me/homelab")
	if err := chat.Notify(context.Background(), r, ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got["/homelab"], "drift appeared in me/homelab") {
		t.Errorf("the text was not sent: %q", got["/homelab"])
	}
	broken := &notify.Shoutrrr{URLs: []string{"ntfy://" + host + "/broken?scheme=http"}}
	err := broken.Notify(context.Background(), r, "")
	if err == nil || strings.Contains(err.Error(), host) {
		t.Errorf("a failing service: %v", err)
	}
	bad := &notify.Shoutrrr{URLs: []string{"nosuch://secret-token@example.org"}}
	if err := bad.Notify(context.Background(), r, ""); err == nil || strings.Contains(err.Error(), "secret-token") {
		t.Errorf("an unknown service: %v", err)
	}
}

package merge

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/clitest"
)

// TestScheduledDrift: a scheduled run tells the chats only when the drift
// state changes: nothing while there is none, once when it appears (not
// again while it stays), once when it goes; each run's state is kept in
// --drift-state for the next.
func TestScheduledDrift(t *testing.T) {
	var mu sync.Mutex
	var told []string
	chat := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]string
		json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body)
		mu.Lock()
		told = append(told, body["text"])
		mu.Unlock()
	}))
	defer chat.Close()
	creds, state, reports := t.TempDir(), t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(creds, "webhook-url"), []byte(chat.URL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(findings string) map[string]string {
		t.Helper()
		if err := os.WriteFile(filepath.Join(reports, "dns-zone-diff.json"), []byte(`{"tool":"dns-zone-diff","findings":[`+findings+`]}`), 0o644); err != nil {
			t.Fatal(err)
		}
		r, _, err := clitest.RunCheck(t, &Check{}, reports, "--notify-credentials", creds, "--drift-state", state,
			"--repo", "me/homelab", "dns-zone-diff.json")
		if err != nil {
			t.Fatal(err)
		}
		return r.Details
	}
	drift := `{"rule":"dns/server-drift","severity":"warning","file":"dns/home.arpa.zone","line":3,"message":"zone home.arpa.: dns2 lacks nas.home.arpa. A 10.0.20.5 that dns1 has"}`
	lint := `{"rule":"dns/no-ttl","severity":"warning","file":"dns/home.arpa.zone","line":1,"message":"no $TTL"}`
	var states []string
	for _, f := range []string{lint, drift, drift + "," + lint, "", drift} {
		states = append(states, run(f)["drift"])
	}
	if d := cmp.Diff([]string{"none", "appeared", "unchanged: still there, already told", "gone", "appeared"}, states); d != "" {
		t.Errorf("states (-want +got):\n%s", d)
	}
	want := []string{
		"Plumbline: drift in me/homelab: what runs is not what Git says (1 finding from dns-zone-diff)\n- dns-zone-diff: zone home.arpa.: dns2 lacks nas.home.arpa. A 10.0.20.5 that dns1 has",
		"Plumbline: no more drift in me/homelab: what runs is what Git says again",
		"Plumbline: drift in me/homelab: what runs is not what Git says (1 finding from dns-zone-diff)\n- dns-zone-diff: zone home.arpa.: dns2 lacks nas.home.arpa. A 10.0.20.5 that dns1 has",
	}
	if d := cmp.Diff(want, told); d != "" {
		t.Errorf("chat messages (-want +got):\n%s", d)
	}
	data, err := os.ReadFile(filepath.Join(state, "drift-me_homelab.json"))
	if err != nil || !strings.Contains(string(data), `"drift":true`) {
		t.Errorf("state %s, %v", data, err)
	}
	// A state file that is not one: the chats are told, with a warning.
	if err := os.WriteFile(filepath.Join(state, "drift-me_homelab.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	told = nil
	r, _, err := clitest.RunCheck(t, &Check{}, reports, "--notify-credentials", creds, "--drift-state", state, "--repo", "me/homelab", "dns-zone-diff.json")
	if err != nil || len(told) != 1 || !strings.Contains(r.Findings[len(r.Findings)-1].Message, "cannot tell whether the drift changed") {
		t.Errorf("a broken state: %v, told %q, %+v", err, told, r.Findings)
	}
}

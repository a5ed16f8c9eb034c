package dnszone

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/internal/testfs"
	"github.com/plumbline/plumbline/pkg/config"
)

// TestReverse: forward and reverse zones managed together agree, or each
// disagreement is said once, at its record.
func TestReverse(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"home.arpa.zone":                "$TTL 300\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 10.0.20.1\nweb A 10.0.20.10\nwww A 10.0.20.10\nnas A 10.0.20.20\nlan A 10.0.10.5\n* A 10.0.20.99\nv6 AAAA 2001:db8::10\n",
		"20.0.10.in-addr.arpa.zone":     "$TTL 300\n@ SOA ns.home.arpa. h 1 2 3 4 5\n@ NS ns.home.arpa.\n1 PTR ns.home.arpa.\n10 PTR www.home.arpa.\n30 PTR gone.home.arpa.\n31 PTR nas.home.arpa.\n40 PTR printer.elsewhere.net.\n0/26 NS ns.home.arpa.\n",
		"8.b.d.0.1.0.0.2.ip6.arpa.zone": "$TTL 300\n@ SOA ns.home.arpa. h 1 2 3 4 5\n@ NS ns.home.arpa.\n0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 PTR v6.home.arpa.\n",
	}
	zones := map[string]*Zone{}
	for name, text := range files {
		testfs.Write(t, dir, name, text)
		origin := name[:len(name)-len(".zone")]
		z, err := ReadZoneFile(filepath.Join(dir, name), origin, dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		zones[z.Origin] = z
	}
	var got []string
	for _, p := range Reverse(zones) {
		got = append(got, fmt.Sprintf("%s %s:%d %s", p.Rule, filepath.Base(p.File), p.Line, p.Msg))
	}
	want := []string{
		// nas has an address with no PTR; web shares www's PTR (fine);
		// lan and the wildcard are not judged (outside, and a wildcard).
		"dns/ptr-missing home.arpa.zone:7 nas.home.arpa. A 10.0.20.20 has no PTR at 20.20.0.10.in-addr.arpa. in the managed reverse zone 20.0.10.in-addr.arpa.: reverse lookups of the address (logs, SSH, mail) find no name",
		"dns/ptr-mismatch 20.0.10.in-addr.arpa.zone:6 30.20.0.10.in-addr.arpa. PTR gone.home.arpa., but gone.home.arpa. has no A record in the managed zone home.arpa.: forward and reverse disagree",
		"dns/ptr-mismatch 20.0.10.in-addr.arpa.zone:7 31.20.0.10.in-addr.arpa. PTR nas.home.arpa., but nas.home.arpa. has A 10.0.20.20 in the managed zone home.arpa., not 10.0.20.31: forward and reverse disagree",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestChangesNarrow: with a pull request's diff, only the zones whose
// desired files (or a file beside them) it touches are compared.
func TestChangesNarrow(t *testing.T) {
	zone := func(origin, ip string) string {
		return "$ORIGIN " + origin + ".\n$TTL 300\n@ IN SOA ns1 admin 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A " + ip + "\nwww IN A " + ip + "\n"
	}
	repo := t.TempDir()
	testfs.WriteAll(t, repo, map[string]string{
		"dns/a.test.zone":  zone("a.test", "10.0.0.1"),
		"dns/b.test.zone":  zone("b.test", "10.0.0.2"),
		"live/a.test.zone": zone("a.test", "10.0.0.9"), // drifted
		"live/b.test.zone": zone("b.test", "10.0.0.8"), // drifted
	})
	c := &Check{configured: []config.Zone{
		{Zone: "a.test", Desired: "dns/a.test.zone", Live: []string{"live/a.test.zone"}},
		{Zone: "b.test", Desired: "dns/b.test.zone", Live: []string{"live/b.test.zone"}},
	}}
	diff := filepath.Join(t.TempDir(), "changes.diff")
	testfs.Write(t, filepath.Dir(diff), "changes.diff", "diff --git a/dns/b.test.zone b/dns/b.test.zone\n--- a/dns/b.test.zone\n+++ b/dns/b.test.zone\n@@ -6 +6 @@\n-www IN A 10.0.0.3\n+www IN A 10.0.0.2\n")
	r, _, err := clitest.RunCheck(t, c, repo, "--changes", diff, ".")
	if err != nil {
		t.Fatal(err)
	}
	zones := map[string]bool{}
	for _, f := range r.Findings {
		zones[f.File] = true
	}
	if zones["dns/a.test.zone"] || !zones["dns/b.test.zone"] || !strings.Contains(r.Details["unchanged"], "a.test") {
		t.Errorf("compared %v, details %v", zones, r.Details)
	}
	testfs.Write(t, filepath.Dir(diff), "changes.diff", "diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-a\n+b\n")
	c = &Check{configured: c.configured}
	if _, _, err := clitest.RunCheck(t, c, repo, "--changes", diff, "."); err == nil || !strings.Contains(err.Error(), "touches no zone") {
		t.Errorf("no zone touched: %v", err)
	}
}

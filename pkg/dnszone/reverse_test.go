package dnszone

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/testfs"
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

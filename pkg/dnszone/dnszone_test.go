package dnszone

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/bindtest"
	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/zonefile"
)

var pkgDir, _ = os.Getwd()

// live is home.arpa as the server has it: desired's records with drift.
const live = `$ORIGIN home.arpa.
$TTL 3600
@           SOA   dns1 hostmaster 2026112501 3600 900 1209600 300
@           NS    dns1
@           NS    dns2
dns1        A     10.0.20.11
dns1        AAAA  2001:db8::11
DNS2        A     10.0.20.12
pve1        A     10.0.10.2
pve2        A     10.0.10.3
nas         A     10.0.10.21
files       CNAME NAS
grafana     CNAME monitoring
monitoring  A     10.0.20.30
mail        MX    20 mx2
mail        MX    10 mx1
txt         TXT   "v=spf1 " "a mx -all"
ipv6        AAAA  2001:0db8:0:0::1
old         A     10.0.10.99
`

// wantPlan is desired against live: case, TXT splitting, MX order, IPv6
// form and the SOA serial are not changes.
// Findings are sorted by file and line; a delete or unmanaged RRset has no
// line in the desired file, so those come first.
var wantPlan = []string{
	"- delete dns1.home.arpa. 3600 AAAA 2001:db8::11",
	"? unmanaged old.home.arpa. 3600 A 10.0.10.99",
	"~ update nas.home.arpa. A 10.0.10.21 → 10.0.10.20",
	"± ttl grafana.home.arpa. CNAME 3600 → 300",
	"+ create printer.home.arpa. 3600 A 10.0.10.40",
}

func plan(r *report.Report) []string {
	var out []string
	for _, f := range r.Findings {
		if strings.HasPrefix(f.Rule, "dns/") && f.Rule != RuleUnsafe && f.Rule != RuleUncompared {
			out = append(out, f.Message)
		}
	}
	return out
}

func run(t *testing.T, args ...string) (*report.Report, error) {
	t.Helper()
	r, _, err := clitest.RunCheck(t, &Check{}, pkgDir, args...)
	return r, err
}

func TestAXFRPlan(t *testing.T) {
	srv := bindtest.Start(t,
		bindtest.Zone{Name: "home.arpa", Text: live, Transfer: "any"},
		bindtest.Zone{Name: "secure.arpa", Text: strings.ReplaceAll(live, "home.arpa.", "secure.arpa."), Transfer: "tsig"},
		bindtest.Zone{Name: "closed.arpa", Text: strings.ReplaceAll(live, "home.arpa.", "closed.arpa."), Transfer: "none"},
	)
	planFile := filepath.Join(t.TempDir(), "plan.json")
	r, err := run(t, "--desired", "testdata/desired/home.arpa.zone", "--live", "axfr://"+srv.Addr+"/home.arpa", "--plan", planFile)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantPlan, plan(r)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"creates": 1, "deletes": 1, "updates": 2}, r.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if r.Summary.Errors != 0 {
		t.Errorf("a safe plan has errors: %+v", r.Findings)
	}
	for _, f := range r.Findings {
		if f.Rule == RuleCreate && (f.File != "testdata/desired/home.arpa.zone" || f.Line != 18) {
			t.Errorf("create points at %s:%d, want the zone file's line 18", f.File, f.Line)
		}
	}
	if b, err := os.ReadFile(planFile); err != nil || !strings.Contains(string(b), `"action": "create"`) {
		t.Errorf("plan file: %v\n%s", err, b)
	}

	// TSIG: the right key transfers, a wrong one is a clear error.
	keyFile := filepath.Join(t.TempDir(), "xfr.key")
	if err := os.WriteFile(keyFile, []byte(srv.Key), 0o600); err != nil {
		t.Fatal(err)
	}
	desiredSecure := filepath.Join(t.TempDir(), "secure.arpa.zone")
	if err := os.WriteFile(desiredSecure, []byte(strings.ReplaceAll(live, "home.arpa.", "secure.arpa.")), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err = run(t, "--desired", desiredSecure, "--live", "axfr://"+srv.Addr+"/secure.arpa", "--tsig-key-file", keyFile, "/")
	if err != nil {
		t.Fatalf("with the key: %v", err)
	}
	if len(plan(r)) != 0 {
		t.Errorf("identical zones planned %v", plan(r))
	}
	t.Setenv("BAD_TSIG", "xfr-key:hmac-sha256:"+strings.Repeat("A", 43)+"=")
	if _, err := run(t, "--desired", desiredSecure, "--live", "axfr://"+srv.Addr+"/secure.arpa", "--tsig-env", "BAD_TSIG", "/"); err == nil ||
		!strings.Contains(err.Error(), "live: axfr secure.arpa from "+srv.Addr) {
		t.Errorf("bad key: error = %v", err)
	}
	if _, err := run(t, "--desired", desiredSecure, "--live", "axfr://"+srv.Addr+"/secure.arpa", "/"); err == nil ||
		!strings.Contains(err.Error(), "transfer refused") {
		t.Errorf("no key: error = %v", err)
	}
	if _, err := run(t, "--desired", "testdata/desired", "--live", "axfr://"+srv.Addr+"/closed.arpa"); err == nil ||
		!strings.Contains(err.Error(), "transfer refused by the server") {
		t.Errorf("refused: error = %v", err)
	}
	if _, err := run(t, "--desired", "testdata/desired", "--live", "axfr://127.0.0.1:1/home.arpa"); err == nil ||
		!strings.Contains(err.Error(), "connection refused") {
		t.Errorf("no server: error = %v", err)
	}
}

// TestYAMLEqualsZoneFile: the YAML form of the same records plans the same.
func TestYAMLEqualsZoneFile(t *testing.T) {
	liveFile := filepath.Join(t.TempDir(), "home.arpa.zone")
	if err := os.WriteFile(liveFile, []byte(live), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := run(t, "--desired", "testdata/yaml/home.arpa.yaml", "--live", liveFile)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantPlan, plan(r)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	for _, f := range r.Findings {
		if f.Rule == RuleCreate && f.Line != 30 {
			t.Errorf("create at line %d, want 30 (printer in the YAML)", f.Line)
		}
	}
}

// zoneOf writes a zone with n A records a0..a(n-1) plus the apex NS.
func zoneOf(t *testing.T, n int, skip map[int]bool, ns string) string {
	var b strings.Builder
	b.WriteString("$ORIGIN z.test.\n$TTL 300\n@ NS " + ns + "\n")
	for i := range n {
		if !skip[i] {
			b.WriteString("a" + string(rune('a'+i)) + " A 192.0.2.1\n")
		}
	}
	f := filepath.Join(t.TempDir(), "z.test.zone")
	if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestSafetyBoundaries: thresholds apply from 10 live RRsets, and exactly
// 30% is still safe (as octoDNS).
func TestSafetyBoundaries(t *testing.T) {
	tests := []struct {
		name    string
		liveN   int // A RRsets live, plus the apex NS
		deletes int
		args    []string
		unsafe  bool
	}{
		{"9 RRsets: no threshold", 8, 5, nil, false},
		{"10 RRsets, 30% deleted", 9, 3, nil, false},
		{"10 RRsets, 40% deleted", 9, 4, nil, true},
		{"10 RRsets, 40% deleted, higher limit", 9, 4, []string{"--max-delete-percent", "40"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			skip := map[int]bool{}
			for i := range tt.deletes {
				skip[i] = true
			}
			liveF := zoneOf(t, tt.liveN, nil, "ns1.z.test.")
			desiredF := zoneOf(t, tt.liveN, skip, "ns1.z.test.")
			// Deleted names must stay mentioned for a delete (not unmanaged): use --prune.
			args := append([]string{"--desired", desiredF, "--live", liveF, "--prune"}, tt.args...)
			r, err := run(t, append(args, "/")...)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Summary.Errors > 0; got != tt.unsafe {
				t.Errorf("unsafe = %v, want %v: %+v", got, tt.unsafe, r.Findings)
			}
		})
	}
	t.Run("root NS guard", func(t *testing.T) {
		r, err := run(t, "--desired", zoneOf(t, 3, nil, "ns2.z.test."), "--live", zoneOf(t, 3, nil, "ns1.z.test."), "/")
		if err != nil {
			t.Fatal(err)
		}
		if r.Summary.Errors != 1 || !strings.Contains(r.Findings[0].Message, "changes the zone's own NS records") {
			t.Errorf("%+v", r.Findings)
		}
		r, err = run(t, "--desired", zoneOf(t, 3, nil, "ns2.z.test."), "--live", zoneOf(t, 3, nil, "ns1.z.test."), "--allow-root-ns", "/")
		if err != nil || r.Summary.Errors != 0 {
			t.Errorf("--allow-root-ns: %v %+v", err, r.Findings)
		}
	})
	t.Run("expect no changes", func(t *testing.T) {
		r, err := run(t, "--desired", zoneOf(t, 3, map[int]bool{1: true}, "ns1.z.test."), "--live", zoneOf(t, 3, nil, "ns1.z.test."), "--prune", "--expect-no-changes", "/")
		if err != nil || r.Summary.Errors != 1 {
			t.Errorf("%v %+v", err, r.Findings)
		}
	})
}

// TestHostileZones: each gives a clear error (exit 2), never a panic.
func TestHostileZones(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	outside := write("outside/secret.zone", "x A 192.0.2.1\n")
	// The mounted DNS credentials, outside the repository: a zone file that
	// links there must not be read, and nothing of it may be printed.
	key := write("credentials/tsig.key", "tK3n-0123456789secret\n")
	linked := filepath.Join(dir, "repo", "key.arpa.zone")
	os.MkdirAll(filepath.Dir(linked), 0o755)
	if err := os.Symlink(key, linked); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct{ file, want string }{
		"symlink to the TSIG key": {linked, "key.arpa.zone: refused: a symlink that leads out of the scanned tree"},
		// A line longer than the $INCLUDE guard's scanner holds used to
		// end its search silently; the parser then opened /etc/passwd.
		"long line hiding an include": {write("repo/long.arpa.zone", "$ORIGIN long.arpa.\n; "+strings.Repeat("x", 5<<20)+"\n$INCLUDE /etc/passwd\n"), "long.arpa.zone: a line longer than 4194304 bytes"},
		"include escaping the root":   {write("repo/escape.arpa.zone", "$ORIGIN escape.arpa.\n$INCLUDE "+outside+"\n"), "is outside"},
		"include loop":                {write("repo/loop.arpa.zone", "$ORIGIN loop.arpa.\n$INCLUDE loop.arpa.zone\n"), "$INCLUDE loop"},
		"invalid UTF-8":               {write("repo/utf.arpa.zone", "$ORIGIN utf.arpa.\n$TTL 60\nx TXT \"\xff\xfe\"\n@ A \xff\n"), "utf.arpa.zone:4: bad A A"},
		"1 MB TXT":                    {write("repo/big.arpa.zone", "$ORIGIN big.arpa.\nx TXT \""+strings.Repeat("a", 1<<20)+"\"\n"), "big.arpa.zone:2:"},
		"$GENERATE bomb":              {write("repo/gen.arpa.zone", "$ORIGIN gen.arpa.\n$TTL 60\n"+strings.Repeat("$GENERATE 0-65535 h$ A 10.0.0.1\n", 40)), "more than 500000 records"},
		"no records":                  {write("repo/empty.arpa.zone", "; nothing\n"), "no records for zone empty.arpa."},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := run(t, "--desired", tt.file, "--live", tt.file, filepath.Join(dir, "repo"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", report.Truncate(fmt.Sprint(err), 300), tt.want)
			}
			if err != nil && (strings.Contains(err.Error(), "tK3n") || strings.Contains(err.Error(), "root:x:0")) {
				t.Errorf("error leaks a secret: %v", err)
			}
		})
	}
}

func TestLint(t *testing.T) {
	f := filepath.Join(t.TempDir(), "home.arpa.zone")
	// A KEY beside a CNAME is allowed (RFC 4034), as BIND allows it.
	text := "$ORIGIN home.arpa.\n$TTL 60\n@ NS ns1\nns1 A 192.0.2.1\nfiles CNAME nas.home.arpa\nprinter A 192.0.2.4\nprinter CNAME nas\nnas A 192.0.2.2\n" +
		"alias CNAME nas\nalias KEY 256 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n"
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	z, err := ReadZoneFile(f, "", filepath.Dir(f), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range Lint(z) {
		got = append(got, fmt.Sprintf("%s:%d %s", p.Rule, p.Line, p.Msg))
	}
	want := []string{
		"dns/doubled-origin:5 files.home.arpa. CNAME points at nas.home.arpa.home.arpa., which ends in the zone name twice; a trailing dot is probably missing",
		"dns/cname-conflict:6 printer.home.arpa. has a CNAME and other records (A, CNAME); a CNAME must stand alone",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestReverseName(t *testing.T) {
	for in, want := range map[string]string{
		"home.arpa.":         "arpa.home",
		"a.b.home.arpa.":     "arpa.home.b.a",
		".":                  "",
		`we\.ird.home.arpa.`: `arpa.home.we\.ird`,
		"x.":                 "x",
	} {
		if got := reverseName(in); got != want {
			t.Errorf("reverseName(%q) = %q, want %q", in, got, want)
		}
	}
}

// The records budget at its edge: zonefile.MaxRecords records (with $GENERATE
// expanded) are a zone, one more is not.
func TestRecordsBudget(t *testing.T) {
	dir := t.TempDir()
	zone := func(extra string) string {
		var b strings.Builder
		b.WriteString("$ORIGIN edge.arpa.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n")
		left := zonefile.MaxRecords - 1
		for start := 0; left > 0; start += 50000 {
			n := min(left, 50000)
			fmt.Fprintf(&b, "$GENERATE %d-%d h$ A 10.0.0.1\n", start, start+n-1)
			left -= n
		}
		return b.String() + extra
	}
	at := filepath.Join(dir, "at", "edge.arpa.zone")
	over := filepath.Join(dir, "over", "edge.arpa.zone")
	for f, text := range map[string]string{at: zone(""), over: zone("one-more A 10.0.0.2\n")} {
		os.MkdirAll(filepath.Dir(f), 0o755)
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	z, err := ReadZoneFile(at, "", filepath.Dir(at), Options{})
	if err != nil || z.Records() != zonefile.MaxRecords {
		t.Fatalf("at the budget: %v", err)
	}
	if _, err := ReadZoneFile(over, "", filepath.Dir(over), Options{}); err == nil || !strings.Contains(err.Error(), "more than 500000 records") {
		t.Errorf("over the budget: %v", err)
	}
	// Written out, as plain address records read without the parser: the
	// same budget, counted before any record past it is kept.
	var b strings.Builder
	b.WriteString("$ORIGIN edge.arpa.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n")
	for i := range zonefile.MaxRecords {
		fmt.Fprintf(&b, "h%d A 10.0.%d.%d\n", i, i/256%256, i%256)
	}
	plain := filepath.Join(dir, "plain", "edge.arpa.zone")
	os.MkdirAll(filepath.Dir(plain), 0o755)
	if err := os.WriteFile(plain, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadZoneFile(plain, "", filepath.Dir(plain), Options{}); err == nil || !strings.Contains(err.Error(), "more than 500000 records") {
		t.Errorf("plain records over the budget: %v", err)
	}
}

// TestNoSilentPassOnDrift: zone files whose zone name an $ORIGIN in the
// middle (or a BIND dump's leading "$ORIGIN .") used to hide are compared
// as the zone they are, against a real BIND by AXFR: a changed record is
// drift, and --expect-no-changes fails on it.
func TestNoSilentPassOnDrift(t *testing.T) {
	dir := t.TempDir()
	mid, err := os.ReadFile("testdata/bind/mid-origin.home.arpa.zone")
	if err != nil {
		t.Fatal(err)
	}
	dumped, err := os.ReadFile("testdata/bind/dumped.home.arpa.zone")
	if err != nil {
		t.Fatal(err)
	}
	liveMid := strings.Replace(string(mid), "10.0.30.1", "10.0.30.99", 1)
	liveDumped := strings.Replace(string(dumped), "10.0.10.20", "10.0.10.21", 1)
	srv := bindtest.Start(t, bindtest.Zone{Name: "home.arpa", Text: liveMid, Transfer: "any"},
		bindtest.Zone{Name: "dumped.arpa", Text: strings.ReplaceAll(liveDumped, "home.arpa", "dumped.arpa"), Transfer: "any"})
	for _, tt := range []struct{ name, file, text, zone, live, change string }{
		{"mid-file $ORIGIN", "home.arpa.zone", string(mid), "", "home.arpa", "~ update gw.lab.home.arpa. A 10.0.30.99 → 10.0.30.1"},
		{"$ORIGIN . dump", "dumped.arpa.zone", strings.ReplaceAll(string(dumped), "home.arpa", "dumped.arpa"), "", "dumped.arpa", "~ update nas.dumped.arpa. A 10.0.10.21 → 10.0.10.20"},
		// A file not named after its zone, named by --zone.
		{"--zone", "desired.txt.zone", string(mid), "home.arpa", "home.arpa", "~ update gw.lab.home.arpa. A 10.0.30.99 → 10.0.30.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(dir, tt.file)
			if err := os.WriteFile(f, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"--desired", f, "--live", "axfr://" + srv.Addr + "/" + tt.live, "--expect-no-changes"}
			if tt.zone != "" {
				args = append(args, "--zone", tt.zone)
			}
			r, err := run(t, append(args, dir)...)
			if err != nil {
				t.Fatal(err)
			}
			if r.Summary.Passed || !slices.Contains(plan(r), tt.change) {
				t.Errorf("passed %v, plan %v, want %q", r.Summary.Passed, plan(r), tt.change)
			}
		})
	}
	// A --zone the desired records do not hold is a mistake, and a run
	// that compared nothing is not a pass.
	_, err = run(t, "--desired", dir, "--live", "axfr://"+srv.Addr+"/home.arpa", "--zone", "example.com", dir)
	if err == nil || !strings.Contains(err.Error(), "--zone example.com: not in the desired records") {
		t.Errorf("unknown --zone: %v", err)
	}
	r, err := run(t, "--desired", filepath.Join(dir, "home.arpa.zone"), "--live", "axfr://"+srv.Addr+"/home.arpa", "--zone", "example.com", dir)
	if err == nil || !strings.Contains(err.Error(), "nothing compared: no zone of the desired records (example.com.) is in the live source") || r.Summary.Passed {
		t.Errorf("a file named by --zone as a zone the live side does not have: %v", err)
	}
}

// TestOpaqueTypes: a zone holding record types miekg/dns cannot parse is
// read (not refused), and against a real BIND by AXFR those RRsets are
// said to be not compared, never planned as changes; the rest is diffed.
func TestOpaqueTypes(t *testing.T) {
	rare, err := os.ReadFile("testdata/bind/rare.home.arpa.zone")
	if err != nil {
		t.Fatal(err)
	}
	srv := bindtest.Start(t, bindtest.Zone{Name: "home.arpa", Text: strings.Replace(string(rare), "10.0.0.8", "10.0.0.9", 1), Transfer: "any"})
	dir := t.TempDir()
	f := filepath.Join(dir, "home.arpa.zone")
	if err := os.WriteFile(f, rare, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := run(t, "--desired", f, "--live", "axfr://"+srv.Addr+"/home.arpa", dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"~ update after.home.arpa. A 10.0.0.9 → 10.0.0.8"}, plan(r)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	var uncompared []string
	for _, f := range r.Findings {
		if f.Rule == RuleUncompared {
			uncompared = append(uncompared, strings.Fields(f.Message)[1])
		}
	}
	if len(uncompared) < 10 {
		t.Errorf("not compared: %v", uncompared)
	}
}

// A record outside the zone is left out, as BIND leaves it out, and said
// (issue 30: dropped records were silent).
func TestLintOutOfZone(t *testing.T) {
	f := filepath.Join(t.TempDir(), "home.arpa.zone")
	text := "$ORIGIN home.arpa.\n$TTL 60\n@ NS ns1\nns1 A 192.0.2.1\n$ORIGIN other.org.\nx A 192.0.2.3\ny TXT \"a\"\n"
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	z, err := ReadZoneFile(f, "", filepath.Dir(f), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range Lint(z) {
		got = append(got, fmt.Sprintf("%s:%d %s", p.Rule, p.Line, p.Msg))
	}
	// At the first such record's line, for the report's link.
	want := []string{"dns/out-of-zone:6 2 records outside zone home.arpa., the first x.other.org.: not part of the zone, ignored as BIND ignores out-of-zone data (a $ORIGIN or a trailing dot?)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if n := z.Records(); n != 2 {
		t.Errorf("%d records kept, want the 2 in the zone", n)
	}
}

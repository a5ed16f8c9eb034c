package dnszone

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/pkg/report"
)

// TestAgainstBIND reads every zone file of testdata/bind as BIND does: the
// records dns-zone-diff reads must be the records named-compilezone -s full
// prints for the same file and zone name (named is the oracle; its output,
// absolute names with every TTL and class written out, is read back with
// our own reader). A file is named LABEL.ZONE.zone.
func TestAgainstBIND(t *testing.T) {
	named, err := exec.LookPath("named-compilezone")
	if err != nil {
		need.Missing(t, "needs named-compilezone (BIND's bind9-utils): %v", err)
	}
	files, _ := filepath.Glob("testdata/bind/*.zone")
	if len(files) == 0 {
		t.Fatal("no corpus")
	}
	for _, f := range files {
		base := filepath.Base(f)
		_, zone, _ := strings.Cut(strings.TrimSuffix(base, ".zone"), ".")
		t.Run(base, func(t *testing.T) {
			cmd := exec.Command(named, "-q", "-i", "none", "-s", "full", "-o", "-", zone, base)
			cmd.Dir = filepath.Dir(f)
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			if err := cmd.Run(); err != nil {
				t.Fatalf("named-compilezone: %v\n%s%s", err, out.String(), errOut.String())
			}
			want, err := parseZone("named", out.Bytes(), zone, "", Options{DNSSEC: true})
			if err != nil {
				t.Fatalf("named's output: %v", err)
			}
			got, err := ReadZoneFile(f, zone, filepath.Dir(f), Options{DNSSEC: true})
			if err != nil {
				t.Fatalf("%v", err)
			}
			if got.Origin != want.Origin {
				t.Errorf("zone %s, named %s", got.Origin, want.Origin)
			}
			if diff := cmp.Diff(records(want), records(got)); diff != "" {
				t.Errorf("records (-named +ours):\n%s", diff)
			}
		})
	}
}

// records lists a zone's RRsets as "name ttl type value" lines, sorted.
// An opaque RRset's data is as written, which named writes its own way:
// only its name, type, TTL and count compare.
func records(z *Zone) []string {
	var out []string
	for _, s := range z.Sets {
		if s.Opaque {
			out = append(out, fmt.Sprintf("%s %d %s (%d as written)", s.Name, s.TTL, s.Type, len(s.Values)))
			continue
		}
		for _, v := range s.Values {
			out = append(out, fmt.Sprintf("%s %d %s %s", s.Name, s.TTL, s.Type, v))
		}
	}
	slices.Sort(out)
	return out
}

// TestRejectedLikeBIND: where named refuses a zone file, so do we, at the
// line named names (exit 2 with file:line in the check).
func TestRejectedLikeBIND(t *testing.T) {
	named, err := exec.LookPath("named-compilezone")
	if err != nil {
		need.Missing(t, "needs named-compilezone (BIND's bind9-utils): %v", err)
	}
	lineOf := regexp.MustCompile(`bad\.home\.arpa\.zone:(\d+):`)
	for _, rec := range []string{"x 99999999999 A 10.0.0.1", "x A 10.0.0.256", "x MX mail", "x BOGUS 1", "x TXT \"unterminated", "x AAAA 10.0.0.1"} {
		t.Run(rec, func(t *testing.T) {
			dir := t.TempDir()
			f := filepath.Join(dir, "bad.home.arpa.zone")
			text := "$TTL 60\n@ SOA ns1 hm 1 2 3 4 5\n@ NS ns1\nns1 A 10.0.0.1\n" + rec + "\nafter A 10.0.0.2\n"
			if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(named, "-i", "none", "-o", "/dev/null", "home.arpa", filepath.Base(f))
			cmd.Dir = dir
			out, nerr := cmd.CombinedOutput()
			m := lineOf.FindSubmatch(out)
			if nerr == nil || m == nil {
				t.Fatalf("named accepted it, or named no line: %v\n%s", nerr, out)
			}
			_, err := ReadZoneFile(f, "home.arpa", dir, Options{})
			var ie *report.InputError
			if !errors.As(err, &ie) || fmt.Sprint(ie.Line) != string(m[1]) {
				t.Errorf("ours: %v; named: %s", err, bytes.TrimSpace(out))
			}
		})
	}
}

// TestEqualAsBIND: record data written differently that BIND reads as the
// same data (named-compilezone prints both zones identically, the oracle)
// is no change; a real change is one. Hex case (TLSA, DS), SVCB parameter
// and mandatory-key order, TXT escapes, owner case, NSEC bitmap order, a
// type written generically (RFC 3597).
func TestEqualAsBIND(t *testing.T) {
	named, err := exec.LookPath("named-compilezone")
	if err != nil {
		need.Missing(t, "needs named-compilezone (BIND's bind9-utils): %v", err)
	}
	const head = "$TTL 300\n@ IN SOA ns1.example. host.example. 1 3600 600 86400 300\n@ IN NS ns1.example.\nns1 IN A 192.0.2.1\n"
	tests := []struct{ name, a, b string }{
		{"tlsa hex", "x IN TLSA 3 1 1 ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789\n",
			"x IN TLSA 3 1 1 abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789\n"},
		{"ds hex", "x IN DS 12345 13 2 ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789\n",
			"x IN DS 12345 13 2 abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789\n"},
		{"svcb order", "x IN HTTPS 1 . alpn=h2,h3 port=8443 mandatory=port,alpn\n", "x IN HTTPS 1 . port=8443 mandatory=alpn,port alpn=h2,h3\n"},
		{"txt escapes", `x IN TXT "\066b" "x\$y" "\045"` + "\n", `x IN TXT "Bb" "x$y" "-"` + "\n"},
		{"owner case", "WWW IN A 192.0.2.2\n", "www IN A 192.0.2.2\n"},
		{"nsec bitmap", "x IN NSEC next.example. NS A MX\n", "x IN NSEC next.example. A MX NS\n"},
		{"generic type", "x IN TYPE1 \\# 4 C0000202\n", "x IN A 192.0.2.2\n"},
		{"names in rdata", "x IN MX 10 MAIL.Example.\n", "x IN MX 10 mail.example.\n"},
		{"escaped capital in rdata", "x IN MX 10 \\077AIL.Example.\n", "x IN MX 10 mail.example.\n"},
		{"dnskey algorithm mnemonic", "x IN DNSKEY 257 3 ECDSAP256SHA256 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n", "x IN DNSKEY 257 3 13 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n"},
		{"ds algorithm mnemonic", "x IN DS 12345 RSASHA256 2 ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789\n",
			"x IN DS 12345 8 2 abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789\n"},
		{"loc without minutes or seconds", "x IN LOC 40 N 105 04 W 1208m\n", "x IN LOC 40 0 0 N 105 4 0.000 W 1208m\n"},
		{"txt \\# that is no generic rdata", "x IN TXT \\# text\n", "x IN TXT \"#\" \"text\"\n"},
		{"nsec3 comment inside parentheses", "6dfjitu5vml86qnku9fo2ljddqqtqpvu IN NSEC3 1 0 10 - (\n\t6DFJITU5VML86QNKU9FO2LJDDQQTQPVT ; next\n\tNS )\n",
			"6dfjitu5vml86qnku9fo2ljddqqtqpvu IN NSEC3 1 0 10 - 6DFJITU5VML86QNKU9FO2LJDDQQTQPVT NS\n"},
		{"nxt types by number", "x IN NXT next.example. ( 1 2 )\n", "x IN NXT next.example. A NS\n"},
		{"wks over lines", "x IN WKS 192.0.2.9 6 ( 21\n 25 )\n", "x IN WKS 192.0.2.9 tcp smtp ftp\n"},
		{"wks services", "x IN WKS 192.0.2.9 tcp ftp smtp 1\n", "x IN WKS 192.0.2.9 6 25 21 1 21\n"},
		{"nxt bitmap", "x IN NXT Next.example. NS SOA KEY\n", "x IN NXT next.example. KEY NS SOA\n"},
		{"mixed ttls: the first wins", "x 456 IN A 192.0.2.2\nx 123 IN A 192.0.2.1\n", "x IN 456 A 192.0.2.1\nx 456 IN A 192.0.2.2\n"},
	}
	dir := t.TempDir()
	canon := func(name, text string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(head+text), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(named, "-q", "-i", "none", "-s", "full", "-o", "-", "example", f).CombinedOutput()
		if err != nil {
			t.Fatalf("named-compilezone %s: %v\n%s", name, err, out)
		}
		return strings.ToLower(string(out)) // named keeps an owner's case as written; DNS does not
	}
	plan := func(a, b string) []string {
		live := filepath.Join(dir, "live.zone")
		desired := filepath.Join(dir, "desired.zone")
		os.WriteFile(live, []byte(head+a), 0o644)
		os.WriteFile(desired, []byte(head+b), 0o644)
		lz, err := ReadZoneFile(live, "example", dir, Options{DNSSEC: true})
		if err != nil {
			t.Fatal(err)
		}
		dz, err := ReadZoneFile(desired, "example", dir, Options{DNSSEC: true})
		if err != nil {
			t.Fatal(err)
		}
		var changes []string
		for _, c := range Diff(dz, lz, false).Changes {
			changes = append(changes, c.String())
		}
		return changes
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a, b := canon(tt.name+"-a.zone", tt.a), canon(tt.name+"-b.zone", tt.b); a != b {
				t.Fatalf("named reads them differently: the case is wrong\n%s\n%s", a, b)
			}
			if changes := plan(tt.a, tt.b); len(changes) != 0 {
				t.Errorf("equal data planned as changes: %v", changes)
			}
			mutated := strings.Replace(tt.b, "x IN", "y IN", 1)
			switch tt.name {
			case "owner case":
				mutated = "www IN A 192.0.2.3\n"
			case "nsec3 comment inside parentheses": // its owner is a hash
				mutated = strings.Replace(tt.b, " NS\n", " A\n", 1)
			}
			if changes := plan(tt.a, mutated); len(changes) == 0 {
				t.Errorf("a real change was not planned: %q", mutated)
			}
		})
	}
}

// TestLoadableAsBIND: a zone file named-checkzone refuses to load (the
// oracle, run on each case) is a dns/not-loadable error with BIND's
// wording; one it loads is not, with a wildcard address and a delegation
// without glue among them. An MX naming a CNAME loads, with a warning. A
// file without an SOA is a list of records for a server that keeps its
// own (TestRecordListNotAZone).
func TestLoadableAsBIND(t *testing.T) {
	checkzone, err := exec.LookPath("named-checkzone")
	if err != nil {
		need.Missing(t, "needs named-checkzone (BIND's bind9-utils): %v", err)
	}
	const soa = "$TTL 300\n@ IN SOA ns1.example. host.example. 1 3600 600 86400 300\n"
	const ns = "@ IN NS ns1\nns1 IN A 192.0.2.1\n"
	tests := []struct {
		name, text string
		loads      bool
		want       string // in a dns/not-loadable or dns/mx-cname message
	}{
		{"good", soa + "@ IN NS ns1\nns1 IN A 192.0.2.1\n", true, ""},
		{"no ns", soa + "ns1 IN A 192.0.2.1\n", false, "has no NS records"},
		{"ns without address", soa + "@ IN NS ns1\n", false, "NS 'ns1.example' has no address records (A or AAAA)"},
		{"ns to cname", soa + "@ IN NS ns1\nns1 IN CNAME real\nreal IN A 192.0.2.1\n", false, "NS 'ns1.example' is a CNAME (illegal)"},
		{"ds at apex", soa + "@ IN NS ns1\nns1 IN A 192.0.2.1\n@ IN DS 12345 13 2 ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789\n", false, "DS record at top of zone"},
		{"ns by wildcard", soa + "@ IN NS ns.sub\n*.sub IN A 192.0.2.9\n", true, ""},
		{"delegation without glue", soa + "@ IN NS ns1\nns1 IN A 192.0.2.1\nchild IN NS ns.child\n", true, ""},
		{"ns out of zone", soa + "@ IN NS ns.example.net.\n", true, ""},
		{"mx to cname", soa + "@ IN NS ns1\nns1 IN A 192.0.2.1\n@ IN MX 10 mail\nmail IN CNAME ns1\n", true, "MX 'mail.example' is a CNAME (illegal)"},
		{"mx without address", soa + ns + "@ IN MX 10 mail\n", true, ""}, // logged, and loaded
		{"ns at a wildcard", soa + ns + "*.w IN NS ns.example.net.\n", false, "invalid NS owner name (wildcard)"},
		{"soa below the apex", soa + ns + "sub IN SOA ns1 host 1 3600 600 86400 300\n", false, "SOA record not at top of zone"},
		{"two soa", soa + "@ IN SOA ns1.example. host.example. 2 3600 600 86400 300\n" + ns, false, "multiple RRs of singleton type"},
		{"two cnames", soa + ns + "x IN CNAME a.example.net.\nx IN CNAME b.example.net.\n", false, "multiple RRs of singleton type"},
		{"zonemd digest short", soa + ns + "@ IN ZONEMD 1 1 1 8f43\n", false, "ZONEMD digest"},
		{"zonemd of an unknown hash", soa + ns + "@ IN ZONEMD 1 1 240 000102030405060708090a0b\n", true, ""},
		{"cds without its dnskey", soa + ns + "@ IN CDS 12345 13 2 ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789\n", false, "CDS/CDNSKEY consistency checks failed"},
		{"cds deletion alone", soa + ns + "@ IN CDS 0 0 0 00\n", true, ""},
		{"txt over 255", soa + ns + "x IN TXT \"" + strings.Repeat("a", 256) + "\"\n", false, "read: a character string longer than 255 bytes"},
		{"txt of 255 twice", soa + ns + "x IN TXT \"" + strings.Repeat("a", 255) + "\" \"" + strings.Repeat("b", 255) + "\"\n", true, ""},
		{"class other than in", soa + ns + "x CH TXT \"a\"\n", false, "class 'CH' != zone class 'IN'"},
		{"svcb mandatory key absent", soa + ns + "x IN HTTPS 1 . mandatory=port alpn=h2\n", false, "inconsistent resource record"},
		{"svcb empty alpn item", soa + ns + "x IN HTTPS 1 . alpn=h2,,h3\n", false, "an empty alpn item"},
		{"svcb unknown key", soa + ns + "x IN HTTPS 1 . foo=1\n", false, "no SVCB parameter foo"},
		{"svcb as generic rdata", soa + ns + "x IN SVCB \\# 19 (\n00 00 ; priority\n03 66 6f 6f 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 ; target\n)\n", true, ""},
		{"soa out of the zone, ignored", soa + ns + "$ORIGIN example.net.\n@ IN SOA ns1 host 1 3600 600 86400 300\n", true, ""},
		{"svcb numbered key", soa + ns + "x IN HTTPS 1 . key65000=abc\n", true, ""},
		{"svcb quoted alpn", soa + ns + "x IN HTTPS 1 . alpn=\"h2,h3\" port=\"8443\"\n", true, ""},
		{"naptr regexp", soa + ns + "x IN NAPTR 100 10 \"u\" \"E2U+sip\" \"!^(.*)$!sip:\\\\1@example.com!\" .\n", true, ""},
		{"naptr regexp two delimiters", soa + ns + "x IN NAPTR 100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.com\" .\n", false, "NAPTR regexp"},
		{"naptr back-reference without a group", soa + ns + "x IN NAPTR 100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:\\\\1@example.com!\" .\n", false, "NAPTR regexp"},
		{"naptr flag other than i", soa + ns + "x IN NAPTR 100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:x@example.com!q\" .\n", false, "NAPTR regexp"},
		{"naptr bad regex", soa + ns + "x IN NAPTR 100 10 \"u\" \"E2U+sip\" \"!^(.*$!sip:x@example.com!\" .\n", false, "NAPTR regexp"},
		{"generic rdata longer than its type", soa + ns + "x IN A \\# 5 c000020101\n", false, "read: extra input data"},
		{"generic rdata of its type's length", soa + ns + "x IN MX \\# 5 000a016100\n", true, ""},
		{"generic rdata of an unknown type", soa + ns + "x IN TYPE65000 \\# 3 abcdef\n", true, ""},
		{"no ttl before the soa", "x IN TXT \"a\"\n@ IN SOA ns1.example. host.example. 1 3600 600 86400 300\n" + ns, false, "read: no TTL specified; zone rejected"},
		{"soa minimum as ttl", "@ IN SOA ns1.example. host.example. 1 3600 600 86400 300\n" + ns + "x IN TXT \"a\"\n", true, ""},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".zone")
			if err := os.WriteFile(f, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			// -i local: the checks named makes when it loads a zone
			out, err := exec.Command(checkzone, "-i", "local", "example", f).CombinedOutput()
			if loads := err == nil; loads != tt.loads {
				t.Fatalf("named-checkzone loads=%v, the case says %v: the case is wrong\n%s", loads, tt.loads, out)
			}
			z, err := ReadZoneFile(f, "example", dir, Options{DNSSEC: true})
			if want, ok := strings.CutPrefix(tt.want, "read: "); ok {
				// refused as it is read: no zone to plan, exit 2
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("read error %v, want one saying %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var refused, said bool
			for _, p := range Lint(z) {
				refused = refused || p.Rule == RuleNotLoadable
				said = said || tt.want != "" && strings.Contains(p.Msg, tt.want)
			}
			if refused != !tt.loads || tt.want != "" && !said {
				t.Errorf("not-loadable %v (BIND loads it: %v), message %q said: %v; findings %v", refused, tt.loads, tt.want, said, Lint(z))
			}
		})
	}
}

// TestRecordListNotAZone: a zone file without an SOA lists records for a
// server that keeps its own SOA and NS (Technitium): BIND would not load
// it as a zone, and it is not held to that.
func TestRecordListNotAZone(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "example.zone")
	os.WriteFile(f, []byte("$TTL 300\n@ IN NS ns1\nwww IN A 192.0.2.1\n"), 0o644)
	z, err := ReadZoneFile(f, "example", dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Lint(z) {
		if p.Rule == RuleNotLoadable {
			t.Errorf("a record list held to loading: %v", p)
		}
	}
}

// TestIncludeAsBIND: a zone split by $INCLUDE reads as named reads it. BIND
// keeps one TTL state for the whole load: the included file starts with
// the includer's default, a $TTL set in it holds in the includer after
// the $INCLUDE, $GENERATE in it takes that default; origin reverts. A type
// kept as written (WKS) is kept in an included file too.
func TestIncludeAsBIND(t *testing.T) {
	named, err := exec.LookPath("named-compilezone")
	if err != nil {
		need.Missing(t, "needs named-compilezone (BIND's bind9-utils): %v", err)
	}
	tests := []struct{ name, main, inc string }{
		{"ttl carried both ways",
			"$TTL 100\n@ IN SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n$INCLUDE inc.zone\nafter A 192.0.2.3\nlast 777 A 192.0.2.4\n",
			"$TTL 200\nin A 192.0.2.2\n$GENERATE 1-2 g$ A 192.0.2.$\n"},
		{"soa minimum as default in the included file",
			"@ IN SOA ns1 h 1 2 3 4 5\n@ 300 NS ns1\nns1 A 192.0.2.1\n$INCLUDE inc.zone\nafter A 192.0.2.3\n",
			"in A 192.0.2.2\nx 400 A 192.0.2.9\n$GENERATE 1-2 g$ A 192.0.2.$\n"},
		{"origin given and reverted",
			"$TTL 100\n@ IN SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n$INCLUDE inc.zone lab\nafter A 192.0.2.3\n",
			"gw A 192.0.2.2\n$ORIGIN other.example.\nx A 192.0.2.5\n"},
		{"kept as written",
			"$TTL 100\n@ IN SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n$INCLUDE inc.zone\n",
			"w IN WKS 192.0.2.9 tcp ftp smtp\nx IN X25 \"100099\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			main := filepath.Join(dir, "example.zone")
			os.WriteFile(main, []byte(tt.main), 0o644)
			os.WriteFile(filepath.Join(dir, "inc.zone"), []byte(tt.inc), 0o644)
			canon := filepath.Join(dir, "canon.out")
			cmd := exec.Command(named, "-q", "-i", "none", "-s", "full", "-o", canon, "example", "example.zone")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("named-compilezone: %v\n%s", err, out)
			}
			live, err := ReadZoneFile(canon, "example", dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			desired, err := ReadZoneFile(main, "example", dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if plan := Diff(desired, live, true); len(plan.Changes) > 0 {
				text, _ := os.ReadFile(canon)
				t.Errorf("planned %v against named's reading:\n%s", plan.Changes, text)
			}
			// not vacuous: a TTL changed in the included file is planned
			os.WriteFile(filepath.Join(dir, "inc.zone"), []byte(strings.Replace(tt.inc, "$TTL 200", "$TTL 201", 1)+"zz 60 A 192.0.2.7\n"), 0o644)
			changed, err := ReadZoneFile(main, "example", dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if plan := Diff(changed, live, true); len(plan.Changes) == 0 {
				t.Error("a record added in the included file was not planned")
			}
		})
	}
}

// TestNoTTLAsBIND: dns/no-ttl warns exactly where named-checkzone warns
// "no TTL specified; using SOA MINTTL instead", at the SOA's line.
func TestNoTTLAsBIND(t *testing.T) {
	checkzone, err := exec.LookPath("named-checkzone")
	if err != nil {
		need.Missing(t, "needs named-checkzone (BIND's bind9-utils): %v", err)
	}
	const rest = "@ IN NS ns1\nns1 IN A 192.0.2.1\n"
	for _, tt := range []struct {
		name, text string
		line       int // of the warning; 0: none
	}{
		{"no $TTL", "; home\n\n@ IN SOA ns1 host 1 3600 600 86400 300\n" + rest, 3},
		{"$TTL", "$TTL 300\n@ IN SOA ns1 host 1 3600 600 86400 300\n" + rest, 0},
		{"soa with a ttl", "@ 600 IN SOA ns1 host 1 3600 600 86400 300\n" + rest, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			f := filepath.Join(dir, "example.zone")
			os.WriteFile(f, []byte(tt.text), 0o644)
			out, err := exec.Command(checkzone, "-i", "local", "example", f).CombinedOutput()
			if err != nil {
				t.Fatalf("named-checkzone: %v\n%s", err, out)
			}
			bindWarns := strings.Contains(string(out), "no TTL specified; using SOA MINTTL instead")
			if bindWarns != (tt.line > 0) {
				t.Fatalf("named-checkzone warns: %v, the case says %v: the case is wrong\n%s", bindWarns, tt.line > 0, out)
			}
			z, err := ReadZoneFile(f, "example", dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			line := 0
			for _, p := range Lint(z) {
				if p.Rule == RuleNoTTL {
					line = p.Line
				}
			}
			if line != tt.line {
				t.Errorf("dns/no-ttl at line %d, want %d; findings %v", line, tt.line, Lint(z))
			}
		})
	}
}

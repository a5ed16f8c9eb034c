package dnszone

import (
	"bytes"
	"github.com/miekg/dns"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbline/plumbline/pkg/report"
)

// FuzzZoneFile: no zone file text panics the reader; what it accepts
// survives normalising twice (the normaliser is idempotent: a zone diffed
// against itself plans nothing).
func FuzzZoneFile(f *testing.F) {
	for _, seed := range []string{
		live,
		"$ORIGIN a.test.\n$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n",
		"$ORIGIN a.test.\n$TTL 60\nx TXT \"a\" \"b\"\nx MX 10 A.test.\n",
		"$ORIGIN a.test.\n$INCLUDE /etc/passwd\n", "$TTL\n", "@ IN A\n", "\xff\xfe",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		z, err := parseZone("f.zone", []byte(text), "a.test.", "", Options{})
		if err != nil {
			return
		}
		p := Diff(z, z, true)
		if len(p.Changes) != 0 {
			t.Fatalf("a zone diffed against itself plans %v", p.Changes)
		}
	})
}

// FuzzYAML: no YAML zone panics the reader, and every error names a line
// of the file or none.
func FuzzYAML(f *testing.F) {
	yamlSeed, _ := os.ReadFile("testdata/yaml/home.arpa.yaml")
	for _, seed := range []string{
		string(yamlSeed),
		"zone: a.test.\nrecords:\n  x:\n    A: 192.0.2.1\n",
		"zone: a.test.\nrecords:\n  x:\n    MX: {ttl: 5, values: [\"10 m\"]}\n",
		"zone: a.test.\nrecords: 3\n", "zone: [\n", "ttl: -1\n", "zone: a.test.\nrecords:\n  ../../x:\n    A: 1.2.3.4\n",
	} {
		f.Add(seed)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, text string) {
		file := filepath.Join(dir, "z.yaml")
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		z, err := ReadYAML(file, Options{})
		if err != nil {
			if ie, ok := err.(*report.InputError); ok {
				lines := strings.Count(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(text), "\n") + 2
				if ie.Line < 0 || ie.Line > lines {
					t.Fatalf("error at line %d of %d: %v", ie.Line, lines, err)
				}
			}
			return
		}
		if p := Diff(z, z, true); len(p.Changes) != 0 {
			t.Fatalf("a zone diffed against itself plans %v", p.Changes)
		}
	})
}

// FuzzCanonicalAsBIND: two records of one type have equal values exactly
// when their canonical wire forms are equal (RFC 4034 6.2: the names it
// lists lower-cased, bitmaps as sets), which is what BIND compares: no
// difference in writing is a change, and every difference in data is.
// TXT strings are joined and the SOA serial is left out by design: for
// those, equal wire implies equal value only.
func FuzzCanonicalAsBIND(f *testing.F) {
	for _, p := range [][2]string{
		{"x. 300 IN TLSA 3 1 1 ABCDEF0123", "x. 300 IN TLSA 3 1 1 abcdef0123"},
		{`x. 300 IN TXT "\066b" "x\$y"`, `x. 300 IN TXT "Bb" "x$y"`},
		{"x. 300 IN HTTPS 1 . alpn=h2,h3 port=8443 mandatory=port,alpn", "x. 300 IN HTTPS 1 . port=8443 alpn=h2,h3 mandatory=alpn,port"},
		{"x. 300 IN NSEC next. NS A MX", "x. 300 IN NSEC next. A MX NS"},
		{"x. 300 IN TYPE1 \\# 4 C0000202", "x. 300 IN A 192.0.2.2"},
		{"x. 300 IN MX 10 MAIL.example.", "x. 300 IN MX 10 mail.example."},
		{"x. 300 IN CAA 0 issue \"a\"", "x. 300 IN CAA 0 issue \"b\""},
	} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ra, err := dns.NewRR(a)
		if err != nil || ra == nil {
			return
		}
		rb, err := dns.NewRR(b)
		if err != nil || rb == nil || ra.Header().Rrtype != rb.Header().Rrtype {
			return
		}
		wa, okA := canonicalWire(ra)
		wb, okB := canonicalWire(rb)
		if !okA || !okB {
			return // no wire form (a malformed escape): nothing canonical to hold
		}
		va, vb := normalValue(ra), normalValue(rb)
		sameWire := bytes.Equal(wa, wb)
		switch ra.(type) {
		case *dns.TXT, *dns.SPF, *dns.SOA:
			if sameWire && va != vb {
				t.Fatalf("same data, values %q and %q", va, vb)
			}
		default:
			if sameWire != (va == vb) {
				t.Fatalf("%q / %q: wire equal %v, values %q and %q", a, b, sameWire, va, vb)
			}
		}
	})
}

// canonicalWire is a record's rdata in canonical form, as the oracle.
func canonicalWire(rr dns.RR) ([]byte, bool) {
	rr = canonical(rr)
	rr.Header().Name, rr.Header().Ttl = ".", 0
	buf := make([]byte, dns.Len(rr)+64)
	off, err := dns.PackRR(rr, buf, 0, nil, false)
	if err != nil {
		return nil, false
	}
	return buf[:off], true
}

// FuzzPlainCanonical: the shortcut canonicalValue takes for names and
// strings written plainly gives what the round trip through the wire
// gives, for every record text miekg/dns reads (NS, CNAME, PTR, MX, TXT,
// RRSIG).
func FuzzPlainCanonical(f *testing.F) {
	for _, s := range []string{
		"x. 300 IN NS NS1.Example.", "x. 300 IN CNAME *.a-b_c.example.", "x. 300 IN PTR \\065b.example.",
		"x. 300 IN MX 10 Mail.example.", "x. 300 IN TXT \"v=spf1 a mx -all\" \"x;y\"", "x. 300 IN TXT \"a\\\"b\"",
		"x. 300 IN NS " + strings.Repeat("a", 64) + ".example.", "x. 300 IN TXT \"\\195\\169\"",
		"x. 300 IN RRSIG A 8 2 300 20360101000000 20260101000000 63947 Big.Test. 2DZFHjzqx4huS4ctHCKB9AlSyXxO1CcD+3G8 SJjt5kxSN57xpuAZ==",
		"x. 300 IN RRSIG TYPE65534 13 0 0 1 4294967295 0 . YWJj", "x. 300 IN RRSIG A 8 2 300 1 2 3 x. YW=j",
		"x. 300 IN RRSIG A 8 2 300 1 2 3 x. YWJ=", "x. 300 IN RRSIG A 8 2 300 1 2 3 x. YWI=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		rr, err := dns.NewRR(text)
		if err != nil || rr == nil {
			return
		}
		switch rr.(type) {
		case *dns.NS, *dns.CNAME, *dns.PTR, *dns.MX, *dns.TXT, *dns.RRSIG:
		default:
			return
		}
		rr.Header().Name = "x." // the owner is never part of the value; a bad one fails the pack
		fast, ferr := canonicalValue(rr)
		wire, werr := wireValue(rr)
		if (ferr == nil) != (werr == nil) || ferr == nil && fast != wire {
			t.Errorf("%q: shortcut %q (%v), through the wire %q (%v)", text, fast, ferr, wire, werr)
		}
	})
}

package zonefile

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/pkg/report"
)

// TestName: --zone, then the file's name, then the SOA owner; never an
// $ORIGIN met on the way (named takes the zone from its configuration).
func TestName(t *testing.T) {
	soa := "$TTL 60\nhome.arpa. SOA ns h 1 2 3 4 5\n"
	for _, tc := range []struct {
		name, file, text, given, want string
	}{
		{"given wins", "other.test.zone", soa, "Lab.Example", "lab.example."},
		{"file .zone", "dir/home.arpa.zone", "", "", "home.arpa."},
		{"file .db", "home.arpa.db", "", "", "home.arpa."},
		{"file db.", "db.home.arpa", "", "", "home.arpa."},
		{"file bare", "home.arpa", "", "", "home.arpa."},
		{"soa owner", "zones/primary", soa, "", "home.arpa."},
		{"origin is not the zone", "primary", "$ORIGIN sub.home.arpa.\n" + soa, "", "home.arpa."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Name(tc.file, []byte(tc.text), tc.given)
			if err != nil || got != tc.want {
				t.Errorf("Name = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	_, err := Name("primary", []byte("$TTL 60\n@ A 192.0.2.1\n"), "")
	var ie *report.InputError
	if !errors.As(err, &ie) || ie.File != "primary" || !strings.Contains(ie.Msg, "cannot tell which zone") {
		t.Errorf("no zone to tell: %v", err)
	}
}

// TestRecords: every record in file order, as named reads it (no $TTL:
// the SOA minimum), a type miekg/dns cannot parse kept as written, each at
// the line its owner is written on (WKS under its code point, as a
// transfer names it).
func TestRecords(t *testing.T) {
	text := "@ SOA ns h 1 2 3 4 300\n@ NS ns\nns A 192.0.2.1\nold WKS 192.0.2.1 TCP 25\n"
	origin, recs, err := Records(filepath.FromSlash("zones/home.arpa.zone"), []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{
		{Name: "home.arpa.", Type: "SOA", Class: "IN", TTL: 300, Value: "ns.home.arpa. h.home.arpa. 1 2 3 4 300", Line: 1},
		{Name: "home.arpa.", Type: "NS", Class: "IN", TTL: 300, Value: "ns.home.arpa.", Line: 1},
		{Name: "ns.home.arpa.", Type: "A", Class: "IN", TTL: 300, Value: "192.0.2.1", Line: 3},
		{Name: "old.home.arpa.", Type: "TYPE11", Class: "IN", TTL: 300, Value: "192.0.2.1 TCP 25", Line: 4},
	}
	if diff := cmp.Diff(want, recs); diff != "" || origin != "home.arpa." {
		t.Errorf("origin %q (-want +got):\n%s", origin, diff)
	}
	for _, tc := range []struct{ name, text, msg string }{
		{"include", "$INCLUDE /etc/passwd\n", "$INCLUDE is not allowed in a policy input"},
		{"bad record", "@ SOA ns h 1 2 3 4 300\nx A 999.1.1.1\n", "bad A A"},
	} {
		_, _, err := Records("home.arpa.zone", []byte(tc.text))
		var ie *report.InputError
		if !errors.As(err, &ie) || !strings.Contains(ie.Msg, tc.msg) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.msg)
		}
	}
}

// FuzzRecords: no text panics or hangs the reader; every error is an
// InputError within the file's lines, and what is read twice reads alike.
func FuzzRecords(f *testing.F) {
	for _, seed := range []string{
		"$ORIGIN a.test.\n$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n",
		"$TTL 60\nx WKS 192.0.2.1 TCP 25\n$GENERATE 1-3 h$ A 192.0.2.$\n",
		"$TTL\n", "@ IN A\n", "\xff\xfe", "x ( A\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		_, recs, err := Records("a.test.zone", []byte(text))
		if err != nil {
			var ie *report.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("not an InputError: %v", err)
			}
			if lines := strings.Count(text, "\n") + 2; ie.Line < 0 || ie.Line > lines {
				t.Fatalf("error at line %d of %d: %v", ie.Line, lines, err)
			}
			return
		}
		_, again, err := Records("a.test.zone", []byte(text))
		if err != nil || !cmp.Equal(recs, again) {
			t.Fatalf("read twice: %v\n%s", err, cmp.Diff(recs, again))
		}
	})
}

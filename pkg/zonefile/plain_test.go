package zonefile

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"

	"github.com/plumbline/plumbline/pkg/report"
)

// readAll reads text with or without plain address records and lists the
// records as "name ttl type value", sorted, or the error.
func readAll(text, origin string, plain bool) ([]string, int, error) {
	var out []string
	fast := 0
	sink := Sink{
		RR: func(rr dns.RR) {
			h := rr.Header()
			v := strings.TrimPrefix(rr.String(), h.String())
			switch r := rr.(type) {
			case *dns.A:
				v = r.A.String()
			case *dns.AAAA:
				v = r.AAAA.String()
			case *dns.TXT: // as dns-zone-diff compares it, and a plain TXT reads it
				v = `"` + strings.Join(r.Txt, "") + `"`
			// Targets as dns-zone-diff compares them (plainTarget).
			case *dns.NS:
				v = strings.ToLower(r.Ns)
			case *dns.CNAME:
				v = strings.ToLower(r.Target)
			case *dns.PTR:
				v = strings.ToLower(r.Ptr)
			case *dns.MX:
				v = fmt.Sprintf("%d %s", r.Preference, strings.ToLower(r.Mx))
			}
			out = append(out, fmt.Sprintf("%s %d %s %s", Canonical(h.Name), h.Ttl, dns.TypeToString[h.Rrtype], v))
		},
		Opaque: func(o Opaque) {
			out = append(out, fmt.Sprintf("%s %d %s %s (opaque)", Canonical(o.Name), o.TTL, o.Type, o.Value))
		},
	}
	if plain {
		sink.Address = func(a Address) {
			fast++
			out = append(out, fmt.Sprintf("%s %d %s %s", Canonical(a.Name), a.TTL, dns.TypeToString[a.Type], a.Value))
		}
	}
	err := ReadTo("z.zone", []byte(text), origin, "", sink)
	slices.Sort(out)
	return out, fast, err
}

// plainAsParsed: the records read with plain address records taken out
// are the records miekg/dns reads, and an error is the same error.
func plainAsParsed(t *testing.T, text, origin string) int {
	t.Helper()
	want, _, wantErr := readAll(text, origin, false)
	got, fast, err := readAll(text, origin, true)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("error %v, parsed alone %v\n%q", err, wantErr, text)
	}
	if wantErr != nil {
		// The same line refused; the parser may word it otherwise when
		// a record before it runs on into a line now blank.
		var a, b *report.InputError
		if !errors.As(err, &a) || !errors.As(wantErr, &b) || a.Line != b.Line || a.File != b.File {
			t.Fatalf("error %v, parsed alone %v\n%q", err, wantErr, text)
		}
		return 0
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("records (-parsed +plain):\n%s\n%q", diff, text)
	}
	return fast
}

var plainSeeds = []string{
	"$ORIGIN a.test.\n$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n  AAAA 2001:db8::1\nwww 300 IN A 192.0.2.2\n IN 30 A 192.0.2.3\n* A 10.0.0.1\n",
	"$TTL 1h\n@ SOA ns h 1 2 3 4 5\nx A 10.0.0.1\n TXT \"t\"\n\tA 10.0.0.2\ny.other.test. A 10.0.0.3\nY A 10.0.0.4 ; c\n$ORIGIN sub.a.test.\nz A 10.0.0.5\n",
	"@ SOA ns h 1 2 3 4 5\nx 30 A 10.0.0.1\ny A 10.0.0.2\n", // no $TTL: the last-TTL rule, all parsed
	"$TTL 60\n@ SOA ns h 1 2 3 4 5\nbad..name A 10.0.0.1\n",
	"$TTL 60\n@ SOA ns h 1 2 3 4 5\nx A 010.0.0.1\ny A ::ffff:1.2.3.4\nz AAAA ::ffff:1.2.3.4\nw AAAA 1.2.3.4\n",
	"$TTL 60\n@ SOA ns h 1 2 3 4 5\nx A ( 10.0.0.1 )\ny 4294967295 A 10.0.0.2\nz CH A 10.0.0.3\n",
	// The parser reads a short record on into the next line: an owner,
	// an $ORIGIN there is its data, not what the preprocessing sees.
	"$TTL 60\n SOA 0\n0 0 0 0 0 0\n A 0.0.0.0\n A 0.0.0.0\n",
	"$TTL 60\n@ SOA ns h 1 2 3 4 5\nx MX 10\n$ORIGIN foo.\nh A 1.2.3.4\nh2 A 1.2.3.5\n",
	"$TTL 60\n@ SOA ns h 1 2 3 4 5\na\\ 300 A 1.2.3.4\n A 1.2.3.5\n$ SOA 0\n",
	"$TTL 60\n@ SOA ns h 1 2 3 4 5\nx TXT \"a\nh A 1.2.3.4\nh2 A 1.2.3.5\"\ny TXT b\\\nh3 A 1.2.3.6\n",
	"$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS Ns1\n@ 30 IN NS ns2.Example.NET.\nd NS d.\n* NS ns\nw CNAME @\nc CNAME x.\n\tMX 010 mail\nm MX 99999 mx\nm MX 5 mx extra\n1 PTR host.\n$ORIGIN .\nr PTR q\nt NS .\n",
	"$TTL 60\n@ SOA ns h 1 2 3 4 5\nx TXT \"v=spf1 a mx -all\"\ny 30 IN TXT \"a b\" \"\"\t\"c\"\nz TXT \"a\"b\nw TXT a \"b\"\n TXT \"k\" ; c\nd TXT \"v=DKIM1; k=rsa; p=MIG\" \"x;\"\ne TXT \"a\";c\n",
}

func FuzzPlainAsParsed(f *testing.F) {
	for _, s := range plainSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) { plainAsParsed(t, text, "a.test.") })
}

// TestPlainAsParsed: on the seeds and the BIND corpus (which named itself
// checks in pkg/dnszone), plain records change nothing, and most address
// records are read plainly.
func TestPlainAsParsed(t *testing.T) {
	fast := 0
	for _, s := range plainSeeds {
		fast += plainAsParsed(t, s, "a.test.")
	}
	files, _ := filepath.Glob("../dnszone/testdata/bind/*.zone")
	desired, _ := filepath.Glob("../dnszone/testdata/desired/*.zone")
	for _, f := range append(files, desired...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := strings.TrimSuffix(filepath.Base(f), ".zone")
		if _, zone, ok := strings.Cut(base, "."); ok && strings.Contains(filepath.Dir(f), "bind") {
			base = zone
		}
		fast += plainAsParsed(t, string(b), base)
	}
	if fast < 10 {
		t.Errorf("only %d records read plainly", fast)
	}
}

// TestOwnerIndexAsOwnerLines: the compact index gives every owner the line
// OwnerLines gives it, and names no owner has none.
func TestOwnerIndexAsOwnerLines(t *testing.T) {
	files, _ := filepath.Glob("../dnszone/testdata/*/*.zone")
	texts := append([]string{"$ORIGIN a.test.\nWWW A 1.2.3.4\n@ NS ns\n\tA 1.2.3.5\n$ORIGIN Sub\nx.y. A 1.1.1.1\n\u00a0z A 1.1.1.2\na\\.b A 1.1.1.3\n"}, plainSeeds...)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	checked := 0
	for _, text := range texts {
		lines := OwnerLines([]byte(text), "a.test.")
		if diff := cmp.Diff(ownerLinesByFields(text, "a.test."), lines); diff != "" {
			t.Errorf("OwnerLines (-by fields +now):\n%s", diff)
		}
		x := NewOwnerIndex([]byte(text), "a.test.")
		for name, want := range lines {
			if got := x.Line(name); got != want {
				t.Errorf("%s: line %d, OwnerLines says %d\n%s", name, got, want, text)
			}
			checked++
		}
		if got := x.Line("no-such-owner.a.test."); got != 0 {
			t.Errorf("a name no line owns: line %d", got)
		}
	}
	if checked < 50 {
		t.Errorf("only %d owners checked", checked)
	}
}

// ownerLinesByFields is how OwnerLines found owners before it stopped
// making a string of every line and field: the reference it keeps to.
func ownerLinesByFields(text, origin string) map[string]int {
	lines := map[string]int{}
	for n, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		n++
		if line == "" || line[0] == ' ' || line[0] == '\t' || line[0] == ';' || line[0] == '$' {
			if f := strings.Fields(line); len(f) >= 2 && strings.EqualFold(f[0], "$ORIGIN") {
				origin = Canonical(absolute(f[1], origin))
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		owner := f[0]
		name := Canonical(owner)
		if owner == "@" {
			name = origin
		} else if !strings.HasSuffix(owner, ".") {
			name = Canonical(owner + "." + origin)
		}
		if _, ok := lines[name]; !ok {
			lines[name] = n
		}
	}
	return lines
}

// TestChunkerAsScanLines: the lines handed out a chunk at a time are
// bufio.ScanLines' lines, whatever the chunk size.
func TestChunkerAsScanLines(t *testing.T) {
	texts := []string{"", "\n", "a", "a\n", "a\nb", "\n\nab\r\ncd\n\n", "x\r", strings.Repeat("long line\n", 50) + "no newline", "a\nbbbbbbbbbbbbbbbbbbbbbbb\nc\n"}
	for _, text := range texts {
		var want []string
		sc := bufio.NewScanner(strings.NewReader(text))
		for sc.Scan() {
			want = append(want, sc.Text())
		}
		for _, size := range []int{1, 2, 3, 7, 64, 0} {
			c := chunker{size: size}
			var got []string
			for {
				line, ok := c.next([]byte(text))
				if !ok {
					break
				}
				got = append(got, strings.TrimSuffix(line, "\r"))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%q in chunks of %d (-ScanLines +chunker):\n%s", text, size, diff)
			}
		}
	}
}

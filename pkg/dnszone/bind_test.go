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

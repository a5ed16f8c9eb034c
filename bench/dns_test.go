package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plumbline/plumbline/internal/bindtest"
	"github.com/plumbline/plumbline/internal/gotool"
)

// zone100k writes a 100,000-record zone; every hundredth address differs
// when changed is set, so two such zones differ in 1%.
func zone100k(b *testing.B, file string, changed bool) {
	var sb strings.Builder
	sb.WriteString("$ORIGIN big.test.\n$TTL 300\n@ SOA ns1 hostmaster 1 3600 900 1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n")
	for i := range 100000 {
		last := i % 250
		if changed && i%100 == 0 {
			last = 251
		}
		fmt.Fprintf(&sb, "h%06d A 10.%d.%d.%d\n", i, i/65536%256, i/256%256, last)
	}
	if err := os.WriteFile(file, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
}

// zone110k writes issue 22's zone shape: 100,000 A and 10,000 TXT
// records; changed moves 1% of the addresses, deletes 500 names, adds
// 500 and changes the TTL of 500 RRsets.
func zone110k(b *testing.B, file string, changed bool) {
	var sb strings.Builder
	sb.WriteString("$ORIGIN big.test.\n$TTL 300\n@ SOA ns1 hostmaster 1 3600 900 1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n")
	for i := range 100000 {
		last, ttl := i%250, ""
		switch {
		case changed && i%100 == 0:
			last = 251
		case changed && i%200 == 1:
			continue // deleted
		case changed && i%200 == 3:
			ttl = "600 "
		}
		fmt.Fprintf(&sb, "h%06d %sA 10.%d.%d.%d\n", i, ttl, i/65536%256, i/256%256, last)
	}
	for i := range 10000 {
		fmt.Fprintf(&sb, "t%05d TXT \"v=spf1 ip4:10.%d.%d.0/24 -all\" \"owner=team%d\"\n", i, i/256%256, i%256, i%17)
	}
	if changed {
		for i := range 500 {
			fmt.Fprintf(&sb, "n%05d A 10.200.%d.%d\n", i, i/256, i%256)
		}
	}
	if err := os.WriteFile(file, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
}

// zonePair builds dns-zone-diff and writes a desired and a changed live
// zone with gen into a fresh directory.
func zonePair(b *testing.B, gen func(b *testing.B, file string, changed bool)) (bin, dir, desired, live string) {
	bin = buildTool(b, "dns-zone-diff")
	dir = b.TempDir()
	desired, live = filepath.Join(dir, "desired", "big.test.zone"), filepath.Join(dir, "live", "big.test.zone")
	os.MkdirAll(filepath.Dir(desired), 0o755)
	os.MkdirAll(filepath.Dir(live), 0o755)
	gen(b, desired, false)
	gen(b, live, true)
	return bin, dir, desired, live
}

// buildTool builds an image binary, so both sides run as processes and
// their peak memory can be read from the kernel.
func buildTool(b *testing.B, name string) string {
	bin := filepath.Join(b.TempDir(), name)
	if err := gotool.Build(bin, "github.com/plumbline/plumbline/images/"+name); err != nil {
		b.Fatal(err)
	}
	return bin
}

// timed runs a command and returns its wall time and peak RSS in MiB.
func timed(b *testing.B, okCodes []int, name string, args ...string) (time.Duration, float64) {
	cmd := exec.Command(name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		code := -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		ok := false
		for _, c := range okCodes {
			ok = ok || c == code
		}
		if !ok {
			b.Fatalf("%s: %v\n%s", filepath.Base(name), err, stderr.String())
		}
	}
	return d, rss(cmd)
}

// BenchmarkDNSZoneDiff100k: file against file on two 100,000-record zones
// that differ in 1%, against ldns-compare-zones on the same files, in one
// run (goal: 2x faster); then AXFR of the zone from a real named on
// loopback plus the diff (goal: under 2 s). Peak memory of each is printed.
func BenchmarkDNSZoneDiff100k(b *testing.B) {
	ldns, err := exec.LookPath("ldns-compare-zones")
	if err != nil {
		b.Fatalf("ldns-compare-zones (Debian package ldnsutils) is the peer: %v", err)
	}
	bin, dir, desired, live := zonePair(b, zone100k)
	text, _ := os.ReadFile(live)
	srv := bindtest.Start(b, bindtest.Zone{Name: "big.test", Text: string(text), Transfer: "any"})

	var ours, peer, axfr time.Duration
	var oursMem, peerMem, axfrMem float64
	args := []string{"--desired", desired, "--format", "json", "--fail-on", "never", "--max-update-percent", "100", dir}
	for b.Loop() {
		d, m := timed(b, nil, ldns, desired, live)
		peer, peerMem = peer+d, max(peerMem, m)
		d, m = timed(b, nil, bin, append([]string{"--live", live}, args...)...)
		ours, oursMem = ours+d, max(oursMem, m)
		d, m = timed(b, nil, bin, append([]string{"--live", "axfr://" + srv.Addr + "/big.test"}, args...)...)
		axfr, axfrMem = axfr+d, max(axfrMem, m)
	}
	n := float64(b.N)
	b.ReportMetric(peer.Seconds()/ours.Seconds(), "x-faster-than-ldns-compare-zones")
	b.ReportMetric(ours.Seconds()/n, "file-diff-s/op")
	b.ReportMetric(peer.Seconds()/n, "ldns-s/op")
	b.ReportMetric(axfr.Seconds()/n, "axfr+diff-s/op")
	b.ReportMetric(oursMem, "file-diff-peak-MiB")
	b.ReportMetric(peerMem, "ldns-peak-MiB")
	b.ReportMetric(axfrMem, "axfr+diff-peak-MiB")
}

// BenchmarkDNSZoneDiff110k: issue 22's shape (100,000 A and 10,000 TXT
// records; 1% changed, 500 deleted, 500 added, 500 TTLs changed), file
// against file, against ldns-compare-zones in one run. Goal: 2x faster
// and at most 1.5x its peak memory.
func BenchmarkDNSZoneDiff110k(b *testing.B) {
	ldns, err := exec.LookPath("ldns-compare-zones")
	if err != nil {
		b.Fatalf("ldns-compare-zones (Debian package ldnsutils) is the peer: %v", err)
	}
	bin, dir, desired, live := zonePair(b, zone110k)
	var ours, peer time.Duration
	var oursMem, peerMem float64
	for b.Loop() {
		d, m := timed(b, nil, ldns, desired, live)
		peer, peerMem = peer+d, max(peerMem, m)
		d, m = timed(b, nil, bin, "--live", live, "--desired", desired, "--format", "json", "--fail-on", "never",
			"--max-update-percent", "100", "--max-delete-percent", "100", dir)
		ours, oursMem = ours+d, max(oursMem, m)
	}
	reportVersus(b, ours, peer, oursMem, peerMem, "dns-zone-diff", "ldns-compare-zones")
	b.ReportMetric(oursMem/peerMem, "memory-ratio")
}

// zoneNS writes 50,000 delegations (an NS-only zone, issue 32's case);
// changed moves 1% of them to another server.
func zoneNS(b *testing.B, file string, changed bool) {
	var sb strings.Builder
	sb.WriteString("$ORIGIN big.test.\n$TTL 300\n@ SOA ns1 hostmaster 1 3600 900 1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n")
	for i := range 50000 {
		server := "ns1.example.net."
		if changed && i%100 == 0 {
			server = "ns2.example.net."
		}
		fmt.Fprintf(&sb, "d%05d NS %s\n", i, server)
	}
	if err := os.WriteFile(file, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
}

// zoneTXT writes 50,000 TXT records of two strings each (SPF, DKIM-like
// keys, verification tokens); changed rewrites 1%.
func zoneTXT(b *testing.B, file string, changed bool) {
	var sb strings.Builder
	sb.WriteString("$ORIGIN big.test.\n$TTL 300\n@ SOA ns1 hostmaster 1 3600 900 1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n")
	for i := range 50000 {
		token := fmt.Sprintf("%032x", i*7919)
		if changed && i%100 == 0 {
			token = fmt.Sprintf("%032x", i*104729)
		}
		fmt.Fprintf(&sb, "t%05d TXT \"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC%s\" \"verification=%s\"\n", i, token, token)
	}
	if err := os.WriteFile(file, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
}

// zoneSigned returns a writer of 20,000 A records signed by
// dnssec-signzone (NSEC, RRSIG, DNSKEY), for a signed zone compared with
// --dnssec. Both sides are signed with one RSA key (its signatures are
// deterministic) over one validity window, as a zone re-signed after an
// edit is: only the changed 1% of addresses and their RRSIGs differ.
func zoneSigned(b *testing.B) func(b *testing.B, file string, changed bool) {
	keys := b.TempDir() // the key and dsset, away from the zones compared
	out, err := exec.Command("dnssec-keygen", "-q", "-K", keys, "-a", "RSASHA256", "-b", "2048", "-f", "KSK", "big.test").Output()
	if err != nil {
		b.Fatalf("dnssec-keygen: %v", err)
	}
	key := filepath.Join(keys, strings.TrimSpace(string(out))+".key")
	return func(b *testing.B, file string, changed bool) {
		var sb strings.Builder
		sb.WriteString("$ORIGIN big.test.\n$TTL 300\n@ SOA ns1 hostmaster 1 3600 900 1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n")
		for i := range 20000 {
			last := i % 250
			if changed && i%100 == 0 {
				last = 251
			}
			fmt.Fprintf(&sb, "h%05d A 10.%d.%d.%d\n", i, i/65536%256, i/256%256, last)
		}
		sb.WriteString("$INCLUDE " + key + "\n")
		plain := file + ".unsigned"
		if err := os.WriteFile(plain, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		defer os.Remove(plain)
		if out, err := exec.Command("dnssec-signzone", "-q", "-K", keys, "-d", keys, "-S", "-z", "-x",
			"-s", "20260101000000", "-e", "20360101000000", "-o", "big.test", "-f", file, plain).CombinedOutput(); err != nil {
			b.Fatalf("dnssec-signzone: %v\n%s", err, out)
		}
	}
}

// plainGen adapts a writer that needs no set-up.
func plainGen(gen func(b *testing.B, file string, changed bool)) func(b *testing.B) func(b *testing.B, file string, changed bool) {
	return func(*testing.B) func(b *testing.B, file string, changed bool) { return gen }
}

// BenchmarkDNSZoneDiffMixes: issue 32's record mixes, each file
// against ldns-compare-zones in one run (goal: 2x faster, at most
// 1.5x its peak memory): an NS-only zone, a TXT-heavy one, a signed one
// compared with --dnssec.
func BenchmarkDNSZoneDiffMixes(b *testing.B) {
	ldns, err := exec.LookPath("ldns-compare-zones")
	if err != nil {
		b.Fatalf("ldns-compare-zones (Debian package ldnsutils) is the peer: %v", err)
	}
	for _, m := range []struct {
		name  string
		gen   func(b *testing.B) func(b *testing.B, file string, changed bool)
		extra []string
	}{
		{"ns-50k", plainGen(zoneNS), nil},
		{"txt-50k", plainGen(zoneTXT), nil},
		{"signed-20k", zoneSigned, []string{"--dnssec"}},
	} {
		b.Run(m.name, func(b *testing.B) {
			if m.name == "signed-20k" {
				if _, err := exec.LookPath("dnssec-signzone"); err != nil {
					b.Fatalf("dnssec-signzone (BIND's bind9-utils, installed by make deps) signs the zone: %v", err)
				}
			}
			bin, dir, desired, live := zonePair(b, m.gen(b))
			var ours, peer time.Duration
			var oursMem, peerMem float64
			args := append([]string{"--live", live, "--desired", desired, "--format", "json", "--fail-on", "never",
				"--max-update-percent", "100", "--max-delete-percent", "100"}, m.extra...)
			for b.Loop() {
				d, mem := timed(b, nil, ldns, desired, live)
				peer, peerMem = peer+d, max(peerMem, mem)
				d, mem = timed(b, nil, bin, append(args, dir)...)
				ours, oursMem = ours+d, max(oursMem, mem)
			}
			reportVersus(b, ours, peer, oursMem, peerMem, "dns-zone-diff", "ldns-compare-zones")
			b.ReportMetric(oursMem/peerMem, "memory-ratio")
		})
	}
}

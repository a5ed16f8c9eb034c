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
			b.Fatalf("%s: %v", filepath.Base(name), err)
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

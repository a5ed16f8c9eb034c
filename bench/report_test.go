// Package bench measures Plumbline against the peers named in its issues,
// in the same run, and prints ratios: this machine is noisy, absolute times
// mean little.
package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/plumbline/plumbline/pkg/merge"
	"github.com/plumbline/plumbline/pkg/report"
)

// bigReport is a check's report with n findings, as JSON.
func bigReport(b *testing.B, n int) []byte {
	r := &report.Report{Tool: "terraform-validate", Version: "0.1.0"}
	for i := range n {
		r.Findings = append(r.Findings, report.Finding{
			Rule: fmt.Sprintf("terraform/rule-%d", i%40), Severity: report.Severity(i%3 + 1),
			Message: "variable \"api_token\" has a literal default", File: fmt.Sprintf("envs/e%d/main.tf", i%100),
			Line: i%500 + 1, Column: 3, Snippet: "default = \"x\"",
		})
	}
	r.Finalize(report.Threshold(report.Error))
	var buf bytes.Buffer
	if err := (&report.JSON{}).Write(&buf, r); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkDecode compares our position-tracking, validating decoder with a
// plain json.Unmarshal of the same 10,000-finding report (the peer: what a
// naive reader would do). Both run interleaved in one loop so machine noise
// hits them alike; the ratio is reported as plumbline/encoding-json.
func BenchmarkDecode(b *testing.B) {
	data := bigReport(b, 10000)
	b.SetBytes(int64(len(data)))
	var ours, peer time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := report.Decode("r.json", data); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		var r report.Report
		if err := json.Unmarshal(data, &r); err != nil {
			b.Fatal(err)
		}
		ours += mid.Sub(start)
		peer += time.Since(mid)
	}
	b.ReportMetric(float64(ours)/float64(peer), "ratio-vs-encoding-json")
}

// BenchmarkWriters renders a merged 10,000-finding report in every format.
func BenchmarkWriters(b *testing.B) {
	r, err := report.Decode("r.json", bigReport(b, 10000))
	if err != nil {
		b.Fatal(err)
	}
	merged := merge.Merge([]merge.Input{{Source: "a.json", Report: r}, {Source: "b.json"}},
		merge.Options{Tool: "report", Missing: report.Warning, FailOn: report.Threshold(report.Error)})
	for _, format := range report.Formats() {
		b.Run(format, func(b *testing.B) {
			w, err := report.NewWriter(format, report.Options{})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := w.Write(io.Discard, merged); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

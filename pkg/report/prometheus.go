package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Prometheus writes a report as the Prometheus text exposition format: a
// file for node_exporter's textfile collector, or the body a Pushgateway
// takes. The metrics are the run's verdict, its findings per check and
// severity, each check's status and duration, and whether Git and what
// runs have drifted apart (docs/metrics.md; docs/grafana-dashboard.json
// shows them).
type Prometheus struct{}

var _ Writer = (*Prometheus)(nil)

// driftRules are the findings that say what runs is not what Git says:
// a DNS server's records against the zone files and against its peer,
// a Terraform plan against the state and the infrastructure.
var driftRules = map[string]bool{
	"dns/create": true, "dns/delete": true, "dns/update": true, "dns/ttl": true, "dns/server-drift": true,
	"terraform/plan-create": true, "terraform/plan-update": true, "terraform/plan-replace": true,
	"terraform/plan-destroy": true, "terraform/plan-drift": true,
}

// Drift reports whether a finding says what runs differs from Git.
func Drift(rule string) bool { return driftRules[rule] }

// DriftRules lists the rules Drift counts, sorted.
func DriftRules() []string {
	out := make([]string, 0, len(driftRules))
	for r := range driftRules {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

func (Prometheus) Write(w io.Writer, r *Report) error {
	var b strings.Builder
	metric := func(name, help, typ string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	sample := func(name string, v float64, labels ...string) {
		b.WriteString(name)
		if len(labels) > 0 {
			b.WriteByte('{')
			for i := 0; i+1 < len(labels); i += 2 {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, "%s=%s", labels[i], quoteLabel(labels[i+1]))
			}
			b.WriteByte('}')
		}
		fmt.Fprintf(&b, " %s\n", strconv.FormatFloat(v, 'g', -1, 64))
	}
	// A single check's report is its own only part.
	parts := r.Checks
	if len(parts) == 0 {
		status := Ran
		if r.Skipped != "" {
			status = Skipped
		}
		parts = []Part{{Tool: r.Tool, Status: status, Summary: r.Summary, Seconds: r.Seconds}}
	}
	tool := func(f Finding) string {
		if f.Tool != "" {
			return f.Tool
		}
		return r.Tool
	}

	metric("plumbline_run_passed", "1 when the run passed at its fail-on threshold, 0 when it failed.", "gauge")
	sample("plumbline_run_passed", b2f(r.Summary.Passed))

	metric("plumbline_findings", "Findings of the run, by check and severity.", "gauge")
	counts := map[[2]string]int{}
	for _, p := range parts {
		for _, s := range []Severity{Error, Warning, Note} {
			counts[[2]string{p.Tool, s.String()}] += 0
		}
	}
	for _, f := range r.Findings {
		counts[[2]string{tool(f), f.Severity.String()}]++
	}
	keys := make([][2]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })
	for _, k := range keys {
		sample("plumbline_findings", float64(counts[k]), "check", k[0], "severity", k[1])
	}

	metric("plumbline_check_status", "1 for each check's status in the run (ran, skipped, missing, invalid, incomplete).", "gauge")
	for _, p := range parts {
		for _, s := range []Status{Ran, Skipped, Missing, Invalid, Incomplete} {
			sample("plumbline_check_status", b2f(p.Status == s), "check", p.Tool, "status", string(s))
		}
	}

	metric("plumbline_check_duration_seconds", "How long each check ran, when it says.", "gauge")
	total := 0.0
	for _, p := range parts {
		if p.Seconds > 0 {
			sample("plumbline_check_duration_seconds", p.Seconds, "check", p.Tool)
			total += p.Seconds
		}
	}
	metric("plumbline_run_duration_seconds", "The checks' durations added up (they run one after the other in plumbline-validate).", "gauge")
	sample("plumbline_run_duration_seconds", total)

	metric("plumbline_drift", "1 when what runs differs from Git (a DNS server against the zone files or its peer, a Terraform plan against the infrastructure), else 0.", "gauge")
	drift := map[string]int{}
	for _, p := range parts {
		drift[p.Tool] += 0
	}
	drifted := false
	for _, f := range r.Findings {
		if Drift(f.Rule) {
			drift[tool(f)]++
			drifted = true
		}
	}
	sample("plumbline_drift", b2f(drifted))
	metric("plumbline_drift_findings", "Findings that say what runs differs from Git, by check.", "gauge")
	names := make([]string, 0, len(drift))
	for k := range drift {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		sample("plumbline_drift_findings", float64(drift[k]), "check", k)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func b2f(v bool) float64 {
	if v {
		return 1
	}
	return 0
}

// quoteLabel is a label value as the text format escapes it: backslash,
// double quote and newline.
func quoteLabel(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

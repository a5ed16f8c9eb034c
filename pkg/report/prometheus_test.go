package report_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/pkg/report"
)

// TestPrometheusParses: what the prometheus format writes is read by
// Prometheus' own text parser, with the values the report says.
func TestPrometheusParses(t *testing.T) {
	r := &report.Report{Tool: "report", Summary: report.Summary{Passed: false},
		Checks: []report.Part{
			{Tool: "terraform-plan", Status: report.Ran, Seconds: 12.5},
			{Tool: "dns-zone-diff", Status: report.Ran, Seconds: 1.25},
			{Tool: "ansible-lint-check", Status: report.Skipped, Reason: "no \"ansible\" dir\nhere"},
		},
		Findings: []report.Finding{
			{Rule: "terraform/plan-drift", Severity: report.Warning, Tool: "terraform-plan"},
			{Rule: "terraform/plan-update", Severity: report.Note, Tool: "terraform-plan"},
			{Rule: "dns/server-drift", Severity: report.Error, Tool: "dns-zone-diff"},
			{Rule: "dns/no-ttl", Severity: report.Warning, Tool: "dns-zone-diff"},
		}}
	var buf bytes.Buffer
	if err := (report.Prometheus{}).Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("Prometheus' parser refuses it: %v\n%s", err, buf.String())
	}
	got := map[string]float64{}
	for name, f := range fams {
		if f.GetType() != dto.MetricType_GAUGE {
			t.Errorf("%s is %s, want a gauge", name, f.GetType())
		}
		for _, m := range f.Metric {
			key := name
			for _, l := range m.Label {
				key += " " + l.GetName() + "=" + l.GetValue()
			}
			got[key] = m.GetGauge().GetValue()
		}
	}
	for key, want := range map[string]float64{
		"plumbline_run_passed": 0,
		"plumbline_findings check=terraform-plan severity=warning":       1,
		"plumbline_findings check=dns-zone-diff severity=error":          1,
		"plumbline_findings check=ansible-lint-check severity=error":     0,
		"plumbline_check_status check=ansible-lint-check status=skipped": 1,
		"plumbline_check_status check=terraform-plan status=ran":         1,
		"plumbline_check_duration_seconds check=terraform-plan":          12.5,
		"plumbline_run_duration_seconds":                                 13.75,
		"plumbline_drift":                                                1,
		"plumbline_drift_findings check=terraform-plan":                  2,
		"plumbline_drift_findings check=dns-zone-diff":                   1,
		"plumbline_drift_findings check=ansible-lint-check":              0,
	} {
		v, ok := got[key]
		if !ok {
			t.Errorf("no sample %q", key)
			continue
		}
		if d := cmp.Diff(want, v); d != "" {
			t.Errorf("%s: (-want +got) %s", key, d)
		}
	}
	// Every golden parses too.
	for _, name := range []string{"single", "merged", "changed"} {
		data, err := readGolden(name + ".prometheus.prom")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.TextToMetricFamilies(bytes.NewReader(data)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func readGolden(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", "golden", name))
}

// TestDashboardMetrics: every metric docs/grafana-dashboard.json queries
// is one the prometheus format writes (or the Pushgateway's own
// push_time_seconds), and every metric written is on the dashboard.
func TestDashboardMetrics(t *testing.T) {
	data, err := os.ReadFile("../../docs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := (report.Prometheus{}).Write(&buf, &report.Report{Tool: "x", Checks: []report.Part{{Tool: "x", Status: report.Ran, Seconds: 1}}}); err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(&buf)
	if err != nil {
		t.Fatal(err)
	}
	written := map[string]bool{"push_time_seconds": true}
	for name := range fams {
		written[name] = true
	}
	used := map[string]bool{}
	name := regexp.MustCompile(`\b(plumbline_[a-z_]+|push_time_seconds)\b`)
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q queries nothing", p.Title)
		}
		for _, tg := range p.Targets {
			for _, m := range name.FindAllString(tg.Expr, -1) {
				used[m] = true
				if !written[m] {
					t.Errorf("panel %q queries %s, which nothing writes", p.Title, m)
				}
			}
		}
	}
	for m := range fams {
		if !used[m] {
			t.Errorf("%s is written but on no panel", m)
		}
	}
}

package notify_test

import (
	"context"
	"net"
	"net/http"
	"os/exec"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/pkg/notify"
	"github.com/plumbline/plumbline/pkg/report"
)

// TestPushgateway pushes a run's metrics to the real Pushgateway (built by
// make tools) twice, and reads them back as Prometheus scrapes it: the
// group of job plumbline and the repository holds the second run's.
func TestPushgateway(t *testing.T) {
	bin := need.Tool(t, "pushgateway", "v1.11.5")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "--web.listen-address="+addr)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base := "http://" + addr
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(base + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("the pushgateway did not start")
		}
	}
	p := &notify.Pushgateway{URL: base + "/", Repository: "me/homelab"}
	run := func(passed bool, drift int) *report.Report {
		r := &report.Report{Tool: "report", Summary: report.Summary{Passed: passed},
			Checks: []report.Part{{Tool: "dns-zone-diff", Status: report.Ran, Seconds: 2.5}}}
		for range drift {
			r.Findings = append(r.Findings, report.Finding{Rule: "dns/server-drift", Severity: report.Warning, Tool: "dns-zone-diff"})
		}
		return r
	}
	for _, r := range []*report.Report{run(true, 0), run(false, 3)} {
		if err := p.Notify(context.Background(), r, ""); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	value := func(name string, labels map[string]string) (float64, bool) {
		for _, m := range fams[name].GetMetric() {
			got := map[string]string{}
			for _, l := range m.Label {
				got[l.GetName()] = l.GetValue()
			}
			ok := true
			for k, v := range labels {
				ok = ok && got[k] == v
			}
			if ok {
				return m.GetGauge().GetValue(), true
			}
		}
		return 0, false
	}
	group := map[string]string{"job": "plumbline", "repository": "me/homelab"}
	for name, want := range map[string]float64{"plumbline_run_passed": 0, "plumbline_drift": 1, "plumbline_run_duration_seconds": 2.5} {
		if v, ok := value(name, group); !ok || v != want {
			t.Errorf("%s%v = %v (%v), want %v", name, group, v, ok, want)
		}
	}
	withCheck := map[string]string{"job": "plumbline", "repository": "me/homelab", "check": "dns-zone-diff"}
	if v, ok := value("plumbline_drift_findings", withCheck); !ok || v != 3 {
		t.Errorf("drift findings %v (%v)", v, ok)
	}
	bad := &notify.Pushgateway{URL: "ftp://" + addr}
	if err := bad.Notify(context.Background(), run(true, 0), ""); err == nil {
		t.Error("an ftp URL was pushed to")
	}
}

package dnszone

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/bindtest"
	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/report"
)

const reverse = `$ORIGIN 20.0.10.in-addr.arpa.
$TTL 3600
@   SOA dns1.home.arpa. hostmaster.home.arpa. 1 3600 900 1209600 300
@   NS  dns1.home.arpa.
11  PTR dns1.home.arpa.
30  PTR monitoring.home.arpa.
`

// TestServersAndZones: one run, driven by .plumbline.yaml, diffs every
// zone against both of its redundant servers (two real BINDs), one plan per
// zone and server, and finds where the servers disagree with each other
// (dns2 lost a record) even where Git says nothing.
func TestServersAndZones(t *testing.T) {
	dns1 := bindtest.Start(t,
		bindtest.Zone{Name: "home.arpa", Text: live, Transfer: "any"},
		bindtest.Zone{Name: "20.0.10.in-addr.arpa", Text: reverse, Transfer: "any"})
	drifted := strings.Replace(live, "monitoring  A     10.0.20.30\n", "", 1)
	dns2 := bindtest.Start(t,
		bindtest.Zone{Name: "home.arpa", Text: drifted, Transfer: "any"},
		bindtest.Zone{Name: "20.0.10.in-addr.arpa", Text: reverse, Transfer: "any"})

	dir := t.TempDir()
	desired, err := os.ReadFile(filepath.Join("testdata", "desired", "home.arpa.zone"))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "dns"), 0o755)
	os.WriteFile(filepath.Join(dir, "dns", "home.arpa.zone"), desired, 0o644)
	os.WriteFile(filepath.Join(dir, "dns", "20.0.10.in-addr.arpa.zone"), []byte(reverse), 0o644)
	cfg := "version: 1\ndns:\n  zones:\n" +
		"    - zone: home.arpa\n      desired: dns/home.arpa.zone\n      live: [axfr://" + dns1.Addr + "/home.arpa, axfr://" + dns2.Addr + "/home.arpa]\n" +
		"    - zone: 20.0.10.in-addr.arpa\n      desired: dns/20.0.10.in-addr.arpa.zone\n      live: [axfr://" + dns1.Addr + "/20.0.10.in-addr.arpa, axfr://" + dns2.Addr + "/20.0.10.in-addr.arpa]\n"
	os.WriteFile(filepath.Join(dir, ".plumbline.yaml"), []byte(cfg), 0o644)

	t.Chdir(dir)
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), cli.Command{Name: Tool, Check: &Check{}},
		[]string{"--format", "json", "--plan", "plan.json", "--fail-on", "never", "."}, cli.Env{Stdout: &out, Stderr: &errOut})
	if code != cli.ExitPass {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	r, err := report.Decode("stdout", out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Zones []ZonePlan }
	data, _ := os.ReadFile("plan.json")
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	var plans []string
	for _, p := range got.Zones {
		plans = append(plans, p.Zone+" "+p.Live)
	}
	want := []string{
		"home.arpa. axfr://" + dns1.Addr + "/home.arpa",
		"home.arpa. axfr://" + dns2.Addr + "/home.arpa",
		"20.0.10.in-addr.arpa. axfr://" + dns1.Addr + "/20.0.10.in-addr.arpa",
		"20.0.10.in-addr.arpa. axfr://" + dns2.Addr + "/20.0.10.in-addr.arpa",
	}
	slices.Sort(want)
	slices.Sort(plans)
	if diff := cmp.Diff(want, plans); diff != "" {
		t.Errorf("plans (-want +got):\n%s", diff)
	}
	var drift []string
	for _, f := range r.Findings {
		if f.Rule == RuleServerDrift {
			drift = append(drift, f.File+": "+f.Message)
		}
	}
	wantDrift := []string{"dns/home.arpa.zone: zone home.arpa.: " + dns2.Addr + " lacks monitoring.home.arpa. A 10.0.20.30 that " + dns1.Addr + " has"}
	if diff := cmp.Diff(wantDrift, drift); diff != "" {
		t.Errorf("drift (-want +got):\n%s", diff)
	}
	if r.Counts["drift"] != 1 || r.Summary.Files != 2 {
		t.Errorf("counts %v, files %d", r.Counts, r.Summary.Files)
	}
	// A warning by default; with dns.failOnDrift, redundant servers that
	// disagree fail the run.
	sevOf := func(r *report.Report) report.Severity {
		for _, f := range r.Findings {
			if f.Rule == RuleServerDrift {
				return f.Severity
			}
		}
		return 0
	}
	if sevOf(r) != report.Warning {
		t.Errorf("drift is %s by default, want warning", sevOf(r))
	}
	os.WriteFile(filepath.Join(dir, ".plumbline.yaml"), []byte(cfg+"  failOnDrift: true\n"), 0o644)
	out.Reset()
	cli.Main(context.Background(), cli.Command{Name: Tool, Check: &Check{}},
		[]string{"--format", "json", "--fail-on", "never", "."}, cli.Env{Stdout: &out, Stderr: &errOut})
	if strict, err := report.Decode("stdout", out.Bytes()); err != nil || sevOf(strict) != report.Error {
		t.Errorf("with failOnDrift: %v, drift %s", err, sevOf(strict))
	}
	// The same records against dns2 alone are planned as a create there:
	// each server's plan is its own.
	if !slices.ContainsFunc(r.Findings, func(f report.Finding) bool {
		return f.Rule == RuleCreate && strings.Contains(f.Message, "monitoring.home.arpa.") && strings.HasSuffix(f.Message, " on "+dns2.Addr)
	}) {
		t.Errorf("no create of monitoring on dns2: %v", plan(r))
	}
}

// TestNothingConfigured: no --desired, no --live and no dns in the config
// is a skipped check, not a broken one.
func TestNothingConfigured(t *testing.T) {
	t.Chdir(t.TempDir())
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), cli.Command{Name: Tool, Check: &Check{}}, []string{"--format", "json"}, cli.Env{Stdout: &out, Stderr: &errOut})
	r, err := report.Decode("stdout", out.Bytes())
	if code != cli.ExitPass || err != nil || !strings.HasPrefix(r.Skipped, "no DNS configured") {
		t.Errorf("exit %d, skipped %q, %v %s", code, r.Skipped, err, errOut.String())
	}
}

// TestCredentialsOnlyToAllowedHosts: a live source named in the
// repository's config gets the mounted TSIG key (or token) only when the
// credentials directory lists its host in allowed-hosts; a pull request
// cannot point a credential at a host of its choosing.
func TestCredentialsOnlyToAllowedHosts(t *testing.T) {
	srv := bindtest.Start(t, bindtest.Zone{Name: "home.arpa", Text: live, Transfer: "tsig"})
	dir := t.TempDir()
	desired, err := os.ReadFile(filepath.Join("testdata", "desired", "home.arpa.zone"))
	if err != nil {
		t.Fatal(err)
	}
	creds := filepath.Join(dir, "creds")
	os.MkdirAll(creds, 0o755)
	os.WriteFile(filepath.Join(creds, "tsig.key"), []byte(srv.Key), 0o600)
	os.WriteFile(filepath.Join(dir, "home.arpa.zone"), desired, 0o644)
	os.WriteFile(filepath.Join(dir, ".plumbline.yaml"), []byte("version: 1\ndns:\n  zones:\n    - zone: home.arpa\n      desired: home.arpa.zone\n"+
		"      tsigKeyFile: tsig.key\n      live: [axfr://"+srv.Addr+"/home.arpa]\n"), 0o644)
	t.Chdir(dir)
	runIt := func() (int, string) {
		var out, errOut bytes.Buffer
		code := cli.Main(context.Background(), cli.Command{Name: Tool, Check: &Check{}},
			[]string{"--format", "json", "--fail-on", "never", "--credentials-dir", creds, "."}, cli.Env{Stdout: &out, Stderr: &errOut})
		return code, errOut.String()
	}
	code, stderr := runIt()
	if code != cli.ExitBroken || !strings.Contains(stderr, "is not in the credentials directory's allowed-hosts") {
		t.Errorf("not allowed: exit %d %s", code, stderr)
	}
	os.WriteFile(filepath.Join(creds, AllowedHosts), []byte("# the lab's servers\n127.0.0.1\n"), 0o644)
	if code, stderr := runIt(); code != cli.ExitPass {
		t.Errorf("allowed: exit %d %s", code, stderr)
	}
}

package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/pkg/report"
)

func TestSettings(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := "testdata"
	for _, tc := range []struct {
		tool string
		want []Setting
	}{
		{"terraform-validate", []Setting{
			{Flag: "fail-on", Values: []string{"warning"}, At: report.InputError{File: "testdata/full.yaml", Line: 3, Column: 9}},
			{Values: []string{filepath.Join(dir, "infra/terraform")}, At: report.InputError{File: "testdata/full.yaml", Line: 5, Column: 10}},
			{Flag: "exclude", Values: []string{"**/modules/**"}, At: report.InputError{File: "testdata/full.yaml", Line: 6, Column: 12}},
			{Flag: "offline", Values: []string{"true"}, At: report.InputError{File: "testdata/full.yaml", Line: 7, Column: 12}},
			{Flag: "jobs", Values: []string{"4"}, At: report.InputError{File: "testdata/full.yaml", Line: 8, Column: 9}},
		}},
		{"policy-check", []Setting{
			{Flag: "fail-on", Values: []string{"warning"}, At: report.InputError{File: "testdata/full.yaml", Line: 3, Column: 9}},
			{Values: []string{dir}, At: report.InputError{File: "testdata/full.yaml", Line: 12, Column: 10}},
			{Flag: "policy", Values: []string{filepath.Join(dir, "policy")}, At: report.InputError{File: "testdata/full.yaml", Line: 13, Column: 13}},
			{Flag: "namespace", Values: []string{"main", "homelab"}, At: report.InputError{File: "testdata/full.yaml", Line: 14, Column: 15}},
			{Flag: "waivers", Values: []string{filepath.Join(dir, "policy/waivers.yaml")}, At: report.InputError{File: "testdata/full.yaml", Line: 15, Column: 12}},
		}},
		{"report", []Setting{
			{Flag: "fail-on", Values: []string{"warning"}, At: report.InputError{File: "testdata/full.yaml", Line: 3, Column: 9}},
			{Flag: "missing", Values: []string{"warning"}, At: report.InputError{File: "testdata/full.yaml", Line: 30, Column: 12}},
		}},
	} {
		got := c.Settings(tc.tool)
		for i := range got {
			got[i].Key = ""
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.tool, diff)
		}
	}
	if c.Enabled("ansible-lint-check") || !c.Enabled("terraform-validate") || !c.Enabled("dns-zone-diff") {
		t.Errorf("enabled: ansible %v terraform %v dns %v", c.Enabled("ansible-lint-check"), c.Enabled("terraform-validate"), c.Enabled("dns-zone-diff"))
	}
	want := []Zone{
		{Zone: "home.arpa", Desired: "dns/home.arpa.zone", Live: []string{"axfr://10.0.0.53/home.arpa", "axfr://10.0.0.54/home.arpa"}, TSIGKeyFile: "transfer.key"},
		{Zone: "20.0.10.in-addr.arpa", Desired: "dns/20.0.10.in-addr.arpa.zone", Live: []string{"dns/live/20.0.10.in-addr.arpa.zone"}},
	}
	if diff := cmp.Diff(want, c.DNS.Zones); diff != "" {
		t.Errorf("zones (-want +got):\n%s", diff)
	}
}

// TestErrors: each mistake at its line and column, all of them at once.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"syntax", "version: 1\nterraform: [\n", []string{"c.yaml:2: did not find expected node content"}},
		{"empty", "", []string{`c.yaml:1: empty: want at least "version: 1"`}},
		{"no version", "failOn: error\n", []string{"c.yaml:1:1: version: want 1 (the only version), got 0"}},
		{"unknown check", "version: 1\nhelm: {}\n", []string{`c.yaml:2:1: the config: unknown key "helm" (known: version, failOn, terraform, terraformPlan, ansible, policy, dns, report, kubernetes, pullRequests)`}},
		{"kubernetes version", "version: 1\nkubernetes: {version: [1]}\n", []string{`c.yaml:2:23: kubernetes.version: want a string, got a list`}},
		{"unknown key", "version: 1\nterraform:\n  path: x\n", []string{`c.yaml:3:3: terraform: unknown key "path" (known: enabled, paths, include, exclude, offline, jobs, allDirs, fmt, timeout)`}},
		{"types", "version: 1\nterraform:\n  jobs: many\n  offline: yes please\ndns:\n  zones: home.arpa\n", []string{
			`c.yaml:3:9: terraform.jobs: want a whole number ≥ 0, got "many"`,
			`c.yaml:4:12: terraform.offline: want true or false, got "yes please"`,
			`c.yaml:6:10: dns.zones: want a list, got "home.arpa"`,
		}},
		{"enums", "version: 1\nfailOn: fatal\nreport:\n  missing: never\n", []string{
			`c.yaml:2:9: failOn: want error, warning or never, got "fatal"`,
			`c.yaml:4:12: report.missing: want error, warning or note, got "never"`,
		}},
		{"paths", "version: 1\nterraform:\n  paths: [../other, /etc]\npolicy:\n  waivers: a/../../w.yaml\ndns:\n  zones:\n    - zone: x\n      desired: z\n      live: [/var/lib/bind/x.zone, axfr://127.0.0.1/x]\n      tokenFile: ../token\n", []string{
			`c.yaml:3:11: terraform.paths.0: "../other" leaves the repository`,
			`c.yaml:3:21: terraform.paths.1: "/etc" is absolute: write it relative to the repository`,
			`c.yaml:5:12: policy.waivers: "a/../../w.yaml" leaves the repository`,
			`c.yaml:10:14: dns.zones.0.live.0: "/var/lib/bind/x.zone" is absolute: write it relative to the repository`,
			`c.yaml:11:18: dns.zones.0.tokenFile: a file name in the credentials directory, not a path: "../token"`,
		}},
		{"zone without desired", "version: 1\ndns:\n  zones:\n    - zone: home.arpa\n      live: [axfr://127.0.0.1/home.arpa]\n", []string{
			`c.yaml:4:7: dns.zones.0: zone "home.arpa" has no desired source (desired: the zone file or YAML in the repository)`,
		}},
		{"two documents", "version: 1\n---\nversion: 1\n", []string{"c.yaml:2:1: a second YAML document: a config is one"}},
		{"twice", "version: 1\nversion: 1\n", []string{`c.yaml:2:1: the config: "version" given twice`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tc.text))
			var got []string
			for _, e := range flatten(err) {
				var ie *report.InputError
				if !errors.As(e, &ie) {
					t.Errorf("not an InputError: %v", e)
				}
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// An alias bomb is refused within the node budget, not expanded.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("x" + string(rune('0'+i)) + ": &x" + string(rune('0'+i)) + " [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*x" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	b.WriteString("terraform:\n  include: *x8\n")
	_, err := Parse("bomb.yaml", []byte(b.String()))
	if err == nil {
		t.Fatal("an alias bomb was accepted")
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	if f, err := Find("", dir); f != "" || err != nil {
		t.Errorf("no config: %q, %v", f, err)
	}
	if _, err := Find(filepath.Join(dir, "missing.yaml"), dir); err == nil {
		t.Error("an explicit --config that does not exist was accepted")
	}
	os.WriteFile(filepath.Join(dir, FileName), []byte("version: 1\n"), 0o644)
	if f, err := Find("", dir); f != filepath.Join(dir, FileName) || err != nil {
		t.Errorf("config: %q, %v", f, err)
	}
}

// FuzzParse: no config text panics or hangs the decoder, every error is
// an InputError within the file, and what it accepts it accepts again.
func FuzzParse(f *testing.F) {
	full, _ := os.ReadFile(filepath.Join("testdata", "full.yaml"))
	for _, s := range []string{string(full), "version: 1\n", "version: 1\nx: &a [*a]\n", "version: 1\ndns: {zones: [{zone: a}]}\n", "[", "\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := Parse("f.yaml", []byte(text))
		for _, e := range flatten(err) {
			var ie *report.InputError
			if !errors.As(e, &ie) {
				t.Fatalf("not an InputError: %v", e)
			}
			if lines := strings.Count(text, "\n") + 2; ie.Line < 0 || ie.Line > lines {
				t.Fatalf("error at line %d of %d: %v", ie.Line, lines, e)
			}
		}
		if err == nil {
			if _, err := Parse("f.yaml", []byte(text)); err != nil || c.Version != 1 {
				t.Fatalf("accepted once, then: %v", err)
			}
		}
	})
}

// TestSharedSection: kubernetes (a section with a "for" tag) gives its
// settings to the tools it names, and to no other.
func TestSharedSection(t *testing.T) {
	f := filepath.Join(t.TempDir(), ".plumbline.yaml")
	if err := os.WriteFile(f, []byte("version: 1\nkubernetes:\n  version: v1.31.4+k3s1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(f)
	if err != nil {
		t.Fatal(err)
	}
	for tool, want := range map[string][]string{
		"policy-check":       {"kubernetes-version=v1.31.4+k3s1 (kubernetes.version, line 3)"},
		"terraform-validate": nil,
		"dns-zone-diff":      nil,
	} {
		var got []string
		for _, s := range c.Settings(tool) {
			got = append(got, fmt.Sprintf("%s=%s (%s, line %d)", s.Flag, strings.Join(s.Values, ","), s.Key, s.At.Line))
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", tool, d)
		}
	}
}

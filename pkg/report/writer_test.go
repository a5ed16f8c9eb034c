package report_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/plumbline/plumbline/pkg/change"
	"github.com/plumbline/plumbline/pkg/merge"
	"github.com/plumbline/plumbline/pkg/report"
)

var update = flag.Bool("update", false, "rewrite golden files")

func load(t *testing.T, name string) *report.Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "input", name))
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Decode(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fixtures are the reports every writer is checked on: one check's report,
// and a merge with a check that ran clean and one that did not run.
func fixtures(t *testing.T) map[string]*report.Report {
	single := load(t, "terraform.json")
	single.Finalize(report.Threshold(report.Error))
	merged := merge.Merge([]merge.Input{
		{Source: "reports/terraform-validate.json", Report: load(t, "terraform.json")},
		{Source: "reports/ansible-lint-check.json", Report: load(t, "ansible.json")},
		{Source: "reports/dns-zone-diff.json"},
	}, merge.Options{Tool: "report", Version: "0.1.0", Missing: report.Warning, FailOn: report.Threshold(report.Error)})
	// A pull request that wrote one finding's line: it leads, the rest
	// are collapsed as already there.
	changed := merge.Merge([]merge.Input{
		{Source: "reports/terraform-validate.json", Report: load(t, "terraform.json")},
		{Source: "reports/ansible-lint-check.json", Report: load(t, "ansible.json")},
	}, merge.Options{Tool: "report", Version: "0.1.0", Missing: report.Warning, FailOn: report.Threshold(report.Error)})
	diff, err := os.Open(filepath.Join("testdata", "input", "change.diff"))
	if err != nil {
		t.Fatal(err)
	}
	defer diff.Close()
	set, err := change.Parse(diff)
	if err != nil {
		t.Fatal(err)
	}
	set.Mark(changed.Findings)
	changed.Finalize(report.Threshold(report.Error))
	return map[string]*report.Report{"single": single, "merged": merged, "changed": changed}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestWritersGolden(t *testing.T) {
	ext := map[string]string{"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "markdown": "md", "github": "txt", "prometheus": "prom"}
	for fixture, r := range fixtures(t) {
		for _, format := range report.Formats() {
			t.Run(fixture+"/"+format, func(t *testing.T) {
				w, err := report.NewWriter(format, report.Options{})
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := w.Write(&buf, r); err != nil {
					t.Fatal(err)
				}
				golden(t, fixture+"."+format+"."+ext[format], buf.Bytes())
			})
		}
	}
}

func TestTextColour(t *testing.T) {
	r := fixtures(t)["single"]
	var plain, colour bytes.Buffer
	if err := (&report.Text{}).Write(&plain, r); err != nil {
		t.Fatal(err)
	}
	if err := (&report.Text{Color: true}).Write(&colour, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("plain text output contains ANSI escapes")
	}
	if !strings.Contains(colour.String(), "\x1b[31merror") {
		t.Error("colour output does not paint errors red")
	}
	stripped := strings.NewReplacer("\x1b[0m", "", "\x1b[1m", "", "\x1b[31m", "", "\x1b[32m", "", "\x1b[33m", "", "\x1b[36m", "").Replace(colour.String())
	if diff := cmp.Diff(plain.String(), stripped); diff != "" {
		t.Errorf("colour changes more than colour (-plain +stripped):\n%s", diff)
	}
}

func TestNewWriterUnknown(t *testing.T) {
	_, err := report.NewWriter("sarif2", report.Options{})
	if err == nil || !strings.Contains(err.Error(), `unknown format "sarif2"`) {
		t.Fatalf("NewWriter(sarif2) error = %v, want unknown format", err)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for name, r := range fixtures(t) {
		var buf bytes.Buffer
		if err := (&report.JSON{}).Write(&buf, r); err != nil {
			t.Fatal(err)
		}
		back, err := report.Decode(name, buf.Bytes())
		if err != nil {
			t.Fatalf("%s: decode own output: %v", name, err)
		}
		if diff := cmp.Diff(r, back); diff != "" {
			t.Errorf("%s: round trip (-want +got):\n%s", name, diff)
		}
	}
}

// TestSARIFValid checks our SARIF against the SARIF 2.1.0 schema and against
// what GitHub code scanning requires on top of it: a location with a
// relative URI on every result, one rule per id, a fingerprint per result.
func TestSARIFValid(t *testing.T) {
	for name, r := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			log := report.BuildSARIF(r)
			if err := log.Validate(); err != nil {
				t.Fatalf("schema: %v", err)
			}
			var buf bytes.Buffer
			if err := (&report.SARIF{}).Write(&buf, r); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Runs []struct {
					Tool struct {
						Driver struct {
							Name  string
							Rules []struct{ ID string }
						}
					}
					Results []struct {
						RuleID    string
						Level     string
						Locations []struct {
							PhysicalLocation struct{ ArtifactLocation struct{ URI string } }
						}
						PartialFingerprints map[string]string
					}
					Invocations []struct {
						ToolExecutionNotifications []struct{ Message struct{ Text string } }
					}
				}
			}
			if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			results, notifications := 0, 0
			for _, run := range doc.Runs {
				rules := map[string]bool{}
				for _, rule := range run.Tool.Driver.Rules {
					if rules[rule.ID] {
						t.Errorf("run %s: rule %s listed twice", run.Tool.Driver.Name, rule.ID)
					}
					rules[rule.ID] = true
				}
				for _, res := range run.Results {
					results++
					if !rules[res.RuleID] {
						t.Errorf("result rule %s not in rules", res.RuleID)
					}
					if len(res.Locations) == 0 || res.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
						t.Errorf("result %s has no location URI: GitHub rejects the whole upload", res.RuleID)
					}
					if uri := res.Locations[0].PhysicalLocation.ArtifactLocation.URI; strings.HasPrefix(uri, "/") || strings.Contains(uri, " ") {
						t.Errorf("URI %q is not a relative URI reference", uri)
					}
					if res.PartialFingerprints[report.FingerprintKey] == "" {
						t.Errorf("result %s has no fingerprint", res.RuleID)
					}
				}
				for _, inv := range run.Invocations {
					notifications += len(inv.ToolExecutionNotifications)
				}
			}
			withFile := 0
			for _, f := range r.Findings {
				if f.File != "" {
					withFile++
				}
			}
			if results != withFile || results+notifications != len(r.Findings) {
				t.Errorf("%d results + %d notifications for %d findings (%d with a file)", results, notifications, len(r.Findings), withFile)
			}
			if name == "merged" {
				var tools []string
				for _, run := range doc.Runs {
					tools = append(tools, run.Tool.Driver.Name)
				}
				if diff := cmp.Diff([]string{"terraform-validate", "ansible-lint-check", "report"}, tools); diff != "" {
					t.Errorf("one run per tool (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestJUnitWellFormed(t *testing.T) {
	var buf bytes.Buffer
	if err := (&report.JUnit{}).Write(&buf, fixtures(t)["merged"]); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name     string     `xml:"name,attr"`
				Failures []struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("junit is not XML: %v", err)
	}
	if len(doc.Suites) != 3 || doc.Failures != 5 {
		t.Errorf("got %d suites and %d failing cases, want 3 and 5", len(doc.Suites), doc.Failures)
	}
}

func TestGitHubEscaping(t *testing.T) {
	r := &report.Report{Tool: "t", Findings: []report.Finding{{
		Rule: "r", Severity: report.Error, File: "a,b:c%.tf", Line: 2, Column: 3,
		Message: "50% done\nnext line\r",
	}}}
	r.Finalize(report.Threshold(report.Error))
	var buf bytes.Buffer
	if err := (&report.GitHub{}).Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(buf.String(), "\n")
	want := "::error file=a%2Cb%3Ac%25.tf,line=2,col=3,title=t%3A r::50%25 done%0Anext line%0D"
	if first != want {
		t.Errorf("got  %s\nwant %s", first, want)
	}
}

func TestMarkdownStaysUnderCommentLimit(t *testing.T) {
	r := &report.Report{Tool: "report"}
	for i := range 10000 {
		r.Findings = append(r.Findings, report.Finding{
			Rule: "r", Severity: report.Warning, File: "f.tf", Line: i + 1,
			Message: strings.Repeat("long message ", 40),
		})
	}
	r.Finalize(report.Threshold(report.Error))
	var buf bytes.Buffer
	if err := (&report.Markdown{MaxFindings: 100000}).Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(buf.String())); n >= 65536 {
		t.Errorf("markdown is %d characters, over GitHub's comment limit", n)
	}
	if !strings.Contains(buf.String(), "Not listed above, to stay under the comment limit: 0 errors, ") {
		t.Error("markdown does not say findings were left out")
	}
}

// Ten thousand long errors and as many notes: every error is a row or
// counted in the summary, no note is listed while an error is left out,
// and the comment stays under the limit, with the link to the full report.
func TestMarkdownNeverDropsErrors(t *testing.T) {
	r := &report.Report{Tool: "report"}
	for i := range 10000 {
		r.Findings = append(r.Findings,
			report.Finding{Rule: "n/r", Severity: report.Note, File: "a.tf", Line: i + 1, Message: "note"},
			report.Finding{Rule: fmt.Sprintf("e/r%d", i%100), Severity: report.Error, File: fmt.Sprintf("z%d.tf", i), Line: 1,
				Message: strings.Repeat("long message ", 40)})
	}
	r.Finalize(report.Threshold(report.Error))
	var buf bytes.Buffer
	md := &report.Markdown{ReportURL: "https://dashboard.example/#/namespaces/ci/taskruns/run-1"}
	if err := md.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if len(out) > 65536 {
		t.Fatalf("markdown is %d bytes", len(out))
	}
	rows := strings.Count(out, "| error | `z")
	var summarised int
	if _, err := fmt.Sscanf(out[strings.Index(out, "Not listed above"):], "Not listed above, to stay under the comment limit: %d errors", &summarised); err != nil {
		t.Fatal(err)
	}
	if rows == 0 || rows+summarised != 10000 {
		t.Errorf("%d error rows + %d summarised, want 10000", rows, summarised)
	}
	if strings.Contains(out, "| note | `a.tf") {
		t.Error("a note is listed while errors are left out")
	}
	if !strings.Contains(out, "The full report: [this run](https://dashboard.example/#/namespaces/ci/taskruns/run-1)") {
		t.Error("no link to the full report")
	}
	// The summary names every error rule once, not the messages.
	if strings.Count(out, "| error | `e/r") != 100 && !strings.Contains(out, "more rules") {
		t.Error("the summary does not account for every rule")
	}
}

// A report at the findings budget, each finding its own rule, renders in
// every format quickly: rule lookups are not linear scans.
func TestWritersAtBudget(t *testing.T) {
	r := &report.Report{Tool: "t", Version: "1"}
	for i := range report.MaxFindings {
		r.Findings = append(r.Findings, report.Finding{Rule: fmt.Sprintf("t/rule-%d", i), Severity: report.Error, Message: "m", File: "f.tf", Line: i + 1})
	}
	r.Finalize(report.Threshold(report.Error))
	for _, name := range report.Formats() {
		w, err := report.NewWriter(name, report.Options{})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := w.Write(io.Discard, r); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("%s took %s for %d rules", name, took, report.MaxFindings)
		}
	}
}

// Text from the checked repository cannot drive the terminal, forge a log
// line, mention someone or grow a comment past GitHub's limit.
func TestHostileText(t *testing.T) {
	r := &report.Report{Tool: "t", Findings: []report.Finding{{Rule: "t/r", Severity: report.Error, File: "a\x1b[2J.tf",
		Message: "x\r\x1b[1A\x1b[2Kreport: PASS @admin see #1", Snippet: "ok\x1b]0;title\x07"}}}
	for i := range 2000 {
		r.Findings = append(r.Findings, report.Finding{Rule: "t/long", Severity: report.Error, File: "z.tf", Message: strings.Repeat("m", 500) + fmt.Sprint(i)})
	}
	r.Finalize(report.Threshold(report.Error))
	var text, md bytes.Buffer
	if err := (&report.Text{}).Write(&text, r); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(text.String(), "\x1b\r\x07") || strings.Contains(text.String(), "\nreport: PASS") {
		t.Errorf("text output obeys control characters:\n%q", text.String()[:300])
	}
	if err := (&report.Markdown{MaxFindings: 5000}).Write(&md, r); err != nil {
		t.Fatal(err)
	}
	if s := md.String(); len(s) > 65536 || strings.Contains(s, "@admin") || !strings.Contains(s, "@&#8203;admin") || strings.Contains(s, "\x1b") {
		t.Errorf("markdown: %d bytes, mention or escape left in", len(s))
	}
}

// The streamed JSON is byte for byte what encoding/json writes whole.
func TestJSONAsEncoder(t *testing.T) {
	r := &report.Report{Tool: "report", Version: "1", Run: "r", Skipped: "", Findings: []report.Finding{
		{Rule: "a/b", Severity: report.Error, Message: "<m> & \"q\"\n", File: "x.tf", Line: 3, Snippet: "s"},
		{Rule: "c", Severity: report.Note, Message: "n", Tool: "t"},
	}, Checks: []report.Part{{Tool: "t", Source: "t.json", Status: report.Ran}}, Details: map[string]string{"k": "\"findings\": []"}, Counts: map[string]int{"c": 1}}
	r.Finalize(report.Threshold(report.Error))
	for _, r := range []*report.Report{r, {Tool: "x"}, {Tool: "x", Findings: r.Findings}} {
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		out := *r
		if out.Findings == nil {
			out.Findings = []report.Finding{}
		}
		if err := enc.Encode(&out); err != nil {
			t.Fatal(err)
		}
		if err := (&report.JSON{}).Write(&got, r); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.String(), got.String()); diff != "" {
			t.Errorf("(-encoding/json +streamed):\n%s", diff)
		}
	}
}

// A long snippet (a fmt diff of a whole file) is folded after 20 lines in
// the text format, and says how much it left out.
func TestTextFoldsLongSnippets(t *testing.T) {
	var lines []string
	for i := range 45 {
		lines = append(lines, fmt.Sprintf("+line %d", i))
	}
	r := &report.Report{Tool: "t", Findings: []report.Finding{{Rule: "terraform/fmt", Severity: report.Warning, File: "a.tf", Message: "m", Snippet: strings.Join(lines, "\n")}}}
	r.Finalize(report.Threshold(report.Error))
	var buf bytes.Buffer
	if err := (&report.Text{}).Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Count(out, "| +line") != 20 || !strings.Contains(out, "| … 25 lines more") && !strings.Contains(out, "| … 25 more") {
		t.Errorf("folded:\n%s", out)
	}
}

// TestMarkdownPlan: terraform-plan's findings are collapsed per root
// module with counts in the summary; creates and in-place updates leave
// the table, drift, replacements and destroys stay in it.
func TestMarkdownPlan(t *testing.T) {
	r := &report.Report{Tool: "report", Findings: []report.Finding{
		{Rule: "terraform/plan-create", Severity: report.Note, Tool: "terraform-plan", File: "terraform/lab/main.tf", Line: 27,
			Message: "terraform/lab: lab_vm.new will be created", Diff: "+ lab_vm.new\n    + name = \"new\"\n"},
		{Rule: "terraform/plan-update", Severity: report.Note, Tool: "terraform-plan", File: "terraform/lab/main.tf", Line: 14,
			Message: "terraform/lab: lab_vm.web will be updated in place", Diff: "~ lab_vm.web\n    ~ cores = 2 -> 4\n"},
		{Rule: "terraform/plan-drift", Severity: report.Warning, Tool: "terraform-plan", File: "terraform/lab/main.tf", Line: 14,
			Message: "terraform/lab: lab_vm.web was changed outside Terraform: the state no longer says what runs", Diff: "~ lab_vm.web\n    ~ disk_size = 32 -> 16\n"},
		{Rule: "terraform/plan-create", Severity: report.Note, Tool: "terraform-plan", File: "terraform/dns/main.tf", Line: 3,
			Message: "terraform/dns: dns_a_record_set.nas will be created", Diff: "+ dns_a_record_set.nas\n"},
	}}
	r.Finalize(report.Threshold(report.Error))
	var buf bytes.Buffer
	if err := (&report.Markdown{}).Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		"<details><summary>What the Terraform plan does: 2 to add, 1 to change, 1 drifted, in 2 root modules</summary>",
		"<details><summary><code>terraform/lab</code>: 1 to add, 1 to change, 1 drifted</summary>",
		"**lab_vm.web will be updated in place** (`terraform/lab/main.tf:14`)",
		"    ~ cores = 2 -> 4",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("no %q in:\n%s", want, md)
		}
	}
	table := md[strings.Index(md, "Findings</summary>"):]
	if !strings.Contains(table, "was changed outside Terraform") || strings.Contains(table, "will be created") {
		t.Errorf("the table after the plan:\n%s", table)
	}
}

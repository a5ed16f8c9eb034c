package report

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// InformationURI is where SARIF consumers send people to learn about a tool.
const InformationURI = "https://github.com/plumbline/plumbline"

// FingerprintKey names our partialFingerprints entry. Bump its version if the
// hash input ever changes, or code scanning reopens every alert.
const FingerprintKey = "plumbline/v1"

// SARIF writes SARIF 2.1.0 for GitHub code scanning: one run per tool, one
// rule per rule id, repo-relative URIs. GitHub rejects a whole upload if one
// result lacks a location, so findings without a file become the run's tool
// execution notifications instead of results.
type SARIF struct{}

var _ Writer = (*SARIF)(nil)

// Write streams one run at a time, as json.MarshalIndent would lay out the
// whole log: only one tool's run is in memory, built and encoded, at once
// (five checks at the findings budget took over 300 MiB as one document).
func (*SARIF) Write(w io.Writer, r *Report) error {
	// The log's own fields around one placeholder run, as MarshalIndent
	// lays them out; the runs are encoded in its place one by one.
	shell := sarif.NewReport()
	shell.Runs = []*sarif.Run{nil}
	head, err := json.MarshalIndent(shell, "", "  ")
	if err != nil {
		return err
	}
	before, after, ok := bytes.Cut(head, []byte("    null"))
	if !ok {
		return fmt.Errorf("sarif: unexpected layout of the log")
	}
	bw := bufio.NewWriter(w)
	bw.Write(before)
	for i, group := range byTool(r) {
		if i > 0 {
			bw.WriteString(",\n")
		}
		bw.WriteString("    ")
		if err := writeRun(bw, sarifRun(group)); err != nil {
			return err
		}
	}
	bw.Write(after)
	bw.WriteString("\n")
	return bw.Flush()
}

// resultsKey is where a run's one placeholder result lands when indented
// as a run of the log: no string holds a newline unescaped.
var resultsKey = []byte("\"results\": [\n        null\n      ]")

// writeRun writes run as MarshalIndent lays it out inside the log, its
// results one at a time (a run of 10,000 results marshalled, then
// indented, whole held it twice more).
func writeRun(bw *bufio.Writer, run *sarif.Run) error {
	results := run.Results
	if len(results) == 0 {
		b, err := json.MarshalIndent(run, "    ", "  ")
		bw.Write(b)
		return err
	}
	run.Results = []*sarif.Result{nil}
	head, err := json.MarshalIndent(run, "    ", "  ")
	run.Results = results
	if err != nil {
		return err
	}
	before, after, ok := bytes.Cut(head, resultsKey)
	if !ok {
		return fmt.Errorf("sarif: unexpected layout of a run")
	}
	bw.Write(before)
	bw.WriteString("\"results\": [")
	for i, res := range results {
		b, err := json.MarshalIndent(res, "        ", "  ")
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n        ")
		bw.Write(b)
	}
	bw.WriteString("\n      ]")
	bw.Write(after)
	return nil
}

// buildSARIF converts a report into a go-sarif log.
func buildSARIF(r *Report) *sarif.Report {
	log := sarif.NewReport()
	for _, group := range byTool(r) {
		log.AddRun(sarifRun(group))
	}
	return log
}

type toolGroup struct {
	tool, version string
	findings      []Finding
	// baseline: the report tells new findings from existing ones (a pull
	// request's diff, --new-since): each result says which.
	baseline bool
}

// byTool splits a report into per-tool groups in the order of its checks.
func byTool(r *Report) []toolGroup {
	var groups []toolGroup
	index := map[string]int{}
	add := func(tool, version string) int {
		if i, ok := index[tool]; ok {
			return i
		}
		index[tool] = len(groups)
		groups = append(groups, toolGroup{tool: tool, version: version, baseline: r.Summary.Existing > 0 || r.NewSince != ""})
		return len(groups) - 1
	}
	for _, c := range r.Checks {
		if c.Status == Ran || c.Status == Incomplete {
			add(c.Tool, c.Version)
		}
	}
	for _, f := range r.Findings {
		tool := r.ToolOf(f)
		version := ""
		if tool == r.Tool {
			version = r.Version
		}
		i := add(tool, version)
		groups[i].findings = append(groups[i].findings, f)
	}
	if len(groups) == 0 {
		add(r.Tool, r.Version)
	}
	return groups
}

func sarifRun(g toolGroup) *sarif.Run {
	run := sarif.NewRunWithInformationURI(g.tool, InformationURI)
	if g.version != "" {
		run.Tool.Driver.Version = &g.version
	}
	inv := sarif.NewInvocation()
	inv.ExecutionSuccessful = ptr(true)
	seen := map[string]int{}
	// go-sarif finds rules by a linear scan; with a rule per finding
	// (100,000 rule ids took 113 s) the index is kept here.
	rules := map[string]int{}
	for _, f := range g.findings {
		if f.File == "" {
			n := sarif.NewNotification()
			n.Level = f.Severity.String()
			n.Message = sarif.NewTextMessage(f.Message)
			ref := sarif.NewReportingDescriptorReference()
			ref.ID = ptr(f.Rule)
			n.Descriptor = ref
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
			continue
		}
		idx, ok := rules[f.Rule]
		if !ok {
			idx = len(run.Tool.Driver.Rules)
			rules[f.Rule] = idx
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarif.NewRule(f.Rule))
		}
		rule := run.Tool.Driver.Rules[idx]
		if rule.DefaultConfiguration == nil {
			rule.DefaultConfiguration = sarif.NewReportingConfiguration()
			rule.DefaultConfiguration.Level = f.Severity.String()
			rule.ShortDescription = sarif.NewMultiformatMessageString().WithText(f.Rule)
		}
		if f.Help != "" && rule.HelpURI == nil {
			rule.HelpURI = ptr(f.Help)
		}
		res := sarif.NewRuleResult(f.Rule).WithRuleIndex(idx)
		run.AddResult(res)
		res.Level = f.Severity.String()
		res.Message = sarif.NewTextMessage(f.Message)
		if g.baseline {
			// SARIF's own words for "on a line the change wrote" or not.
			res.WithBaselineState(map[bool]string{true: "unchanged", false: "new"}[f.Existing])
		}
		res.AddLocation(sarif.NewLocationWithPhysicalLocation(physical(f)))
		key := fingerprint(g.tool, f)
		res.WithPartialFingerprints(map[string]string{FingerprintKey: fmt.Sprintf("%s:%d", key, seen[key])})
		seen[key]++
	}
	run.AddInvocation(inv)
	return run
}

func physical(f Finding) *sarif.PhysicalLocation {
	loc := sarif.NewArtifactLocation()
	loc.URI = ptr(fileURI(f.File))
	loc.URIBaseID = ptr("%SRCROOT%")
	pl := sarif.NewPhysicalLocation().WithArtifactLocation(loc)
	if f.Line > 0 {
		reg := sarif.NewRegion()
		reg.StartLine = ptr(f.Line)
		if f.Column > 0 {
			reg.StartColumn = ptr(f.Column)
		}
		if f.EndLine >= f.Line {
			reg.EndLine = ptr(f.EndLine)
		}
		if f.EndColumn > 0 && (f.EndLine > f.Line || f.EndColumn > f.Column) {
			reg.EndColumn = ptr(f.EndColumn)
		}
		if f.Snippet != "" {
			reg.Snippet = sarif.NewArtifactContent().WithText(f.Snippet)
		}
		pl.Region = reg
	}
	return pl
}

// fileURI turns a repo-relative path into a relative URI reference; a colon
// in the first segment would otherwise read as a scheme.
func fileURI(p string) string {
	u := url.URL{Path: p}
	return u.String()
}

// fingerprint leaves the line out so an alert survives code moving around it.
func fingerprint(tool string, f Finding) string {
	h := sha256.New()
	for _, s := range []string{tool, f.Rule, f.File, f.Message} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func ptr[T any](v T) *T { return &v }

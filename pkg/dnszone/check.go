package dnszone

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/zonefile"
)

// Tool is the check's name in reports.
const Tool = "dns-zone-diff"

// Rule ids: one per kind of change, and one per safety rule.
const (
	RuleCreate     = "dns/create"
	RuleDelete     = "dns/delete"
	RuleUpdate     = "dns/update"
	RuleTTL        = "dns/ttl"
	RuleUnmanaged  = "dns/unmanaged"
	RuleUnsafe     = "dns/unsafe-plan"
	RuleNotInLive  = "dns/zone-not-live"
	RuleNotDesired = "dns/zone-not-desired"
	RuleUncompared = "dns/not-compared"
)

var actionRules = map[Action]struct {
	rule string
	sev  report.Severity
}{
	Create: {RuleCreate, report.Note}, Delete: {RuleDelete, report.Warning}, Update: {RuleUpdate, report.Note},
	TTLOnly: {RuleTTL, report.Note}, Unmanaged: {RuleUnmanaged, report.Note},
}

// Check is dns-zone-diff; it implements cli.Check. The PATH argument is the
// repository root that $INCLUDE may not leave.
type Check struct {
	desired, live       string
	zones               cli.List
	safety              Safety
	prune, dnssec       bool
	tsigFile, tsigEnv   string
	tokenFile, tokenEnv string
	credentials         string
	plan, planDir       string
	timeout             time.Duration
	allowHTTP           bool
}

var _ cli.Check = (*Check)(nil)

func (c *Check) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.desired, "desired", "", "desired records: a zone file, a YAML file or a directory of them (`SRC`)")
	fs.StringVar(&c.live, "live", "", "live records: axfr://host[:port]/zone, or a file or directory (`SRC`)")
	fs.Var(&c.zones, "zone", "only these `ZONES` (comma-separated, repeatable)")
	fs.Float64Var(&c.safety.MaxDeletePercent, "max-delete-percent", 30, "a plan deleting more than this share of a zone's RRsets is unsafe")
	fs.Float64Var(&c.safety.MaxUpdatePercent, "max-update-percent", 30, "a plan updating more than this share of a zone's RRsets is unsafe")
	fs.IntVar(&c.safety.MinRRsets, "min-rrsets", 10, "the percentages apply to zones with at least this many live RRsets")
	fs.BoolVar(&c.safety.AllowRootNS, "allow-root-ns", false, "allow changes to a zone's own NS records")
	fs.BoolVar(&c.safety.ExpectNoChanges, "expect-no-changes", false, "any change is an error (drift detection)")
	fs.BoolVar(&c.prune, "prune", false, "delete live RRsets of names the desired side never mentions (else: unmanaged)")
	fs.BoolVar(&c.dnssec, "dnssec", false, "compare DNSSEC records (RRSIG, NSEC, NSEC3, DNSKEY, …) too")
	fs.StringVar(&c.tsigFile, "tsig-key-file", "", "TSIG key for AXFR, from `FILE` (BIND key syntax or NAME:ALG:SECRET)")
	fs.StringVar(&c.tsigEnv, "tsig-env", "", "TSIG key for AXFR, from environment variable `NAME`")
	fs.StringVar(&c.tokenFile, "token-file", "", "Technitium API token from `FILE`")
	fs.StringVar(&c.tokenEnv, "token-env", "", "Technitium API token from environment variable `NAME`")
	fs.StringVar(&c.credentials, "credentials-dir", "", "resolve relative --tsig-key-file and --token-file in `DIR` (a Secret workspace); empty means the working directory")
	fs.StringVar(&c.plan, "plan", "", "write the plan as JSON to `FILE` (docs/dns-zone-diff.md)")
	fs.StringVar(&c.planDir, "plan-dir", "", "write the plan as JSON to `DIR`/dns-plan.json; empty means none (for optional Tekton workspaces)")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "time limit for reading the live source")
	fs.BoolVar(&c.allowHTTP, "allow-http", false, "allow technitium+http://, which sends the API token unencrypted")
}

func (c *Check) Run(ctx context.Context, req cli.Request) (*report.Report, error) {
	if c.desired == "" || c.live == "" {
		return nil, cli.Usagef("--desired and --live are both required")
	}
	if len(req.Paths) != 1 {
		return nil, cli.Usagef("one PATH: the repository root that $INCLUDE may not leave")
	}
	tsig, err := ReadTSIG(c.inCredentials(c.tsigFile), c.tsigEnv)
	if err != nil {
		return nil, cli.Usagef("%w", err)
	}
	token, err := ReadToken(c.inCredentials(c.tokenFile), c.tokenEnv)
	if err != nil {
		return nil, cli.Usagef("%w", err)
	}
	cfg := Config{Root: req.Paths[0], Options: Options{DNSSEC: c.dnssec}, TSIG: tsig, Token: token, AllowHTTP: c.allowHTTP}
	if len(c.zones) == 1 {
		cfg.Zone = c.zones[0] // the zone a single zone file holds
	}
	desiredSrc, err := NewSource(c.desired, cfg)
	if err != nil {
		return nil, cli.Usagef("--desired: %w", err)
	}
	liveSrc, err := NewSource(c.live, cfg)
	if err != nil {
		return nil, cli.Usagef("--live: %w", err)
	}
	switch s := liveSrc.(type) {
	case *AXFR:
		s.Timeout = c.timeout
	case *Technitium:
		s.Client.Timeout = c.timeout
	}
	// Both sides are read at once: parsing is most of a large diff's time,
	// and a zone transfer waits on the network.
	var live map[string]*Zone
	liveErr := make(chan error, 1)
	go func() {
		var err error
		live, err = liveSrc.Zones(ctx)
		liveErr <- err
	}()
	desired, err := desiredSrc.Zones(ctx)
	lerr := <-liveErr
	r := &report.Report{Tool: Tool, Findings: []report.Finding{}, Counts: map[string]int{"creates": 0, "deletes": 0, "updates": 0}}
	// Unreadable records are a report too (its error finding says where),
	// so a pipeline sees why the diff did not happen.
	switch {
	case err != nil && lerr != nil:
		return r, errors.Join(fmt.Errorf("desired: %w", err), fmt.Errorf("live: %w", lerr))
	case err != nil:
		return r, fmt.Errorf("desired: %w", err)
	case lerr != nil:
		return r, fmt.Errorf("live: %w", lerr)
	}

	// A zone asked for by name that the desired records do not hold is a
	// mistake, never a pass over nothing.
	for _, zone := range c.zones {
		if _, ok := desired[zonefile.Canonical(zone)]; !ok {
			return r, cli.Usagef("--zone %s: not in the desired records %s (zones there: %s)", zone, c.desired,
				strings.Join(slices.Sorted(maps.Keys(desired)), ", "))
		}
	}
	var plans []ZonePlan
	for _, origin := range slices.Sorted(maps.Keys(desired)) {
		d := desired[origin]
		if len(c.zones) > 0 && !slices.ContainsFunc(c.zones, func(z string) bool { return zonefile.Canonical(z) == origin }) {
			continue
		}
		r.Summary.Files++
		for _, pr := range Lint(d) {
			sev := report.Warning
			if pr.Error {
				sev = report.Error
			}
			r.Findings = append(r.Findings, report.Finding{Rule: pr.Rule, Severity: sev, File: rel(pr.File), Line: pr.Line, Message: pr.Msg})
		}
		l, ok := live[origin]
		if !ok {
			r.Findings = append(r.Findings, report.Finding{Rule: RuleNotInLive, Severity: report.Note, File: rel(d.File),
				Message: fmt.Sprintf("zone %s is not in the live source %s; not compared", origin, c.live)})
			continue
		}
		p := Diff(d, l, c.prune)
		c.safety.Check(&p)
		plans = append(plans, p)
		r.Counts["creates"] += p.Creates
		r.Counts["deletes"] += p.Deletes
		r.Counts["updates"] += p.Updates + p.TTLChanges
		for _, ch := range p.Changes {
			ar := actionRules[ch.Action]
			f := report.Finding{Rule: ar.rule, Severity: ar.sev, Message: ch.String(), File: rel(ch.File), Line: ch.Line}
			r.Findings = append(r.Findings, f)
		}
		for _, k := range p.Uncompared {
			s := d.Sets[k]
			r.Findings = append(r.Findings, report.Finding{Rule: RuleUncompared, Severity: report.Warning, File: rel(s.File), Line: d.LineOf(s),
				Message: fmt.Sprintf("%s %s not compared: this record type is kept as written here and parsed on the live side", k.Name, k.Type)})
		}
		for _, problem := range p.Problems {
			r.Findings = append(r.Findings, report.Finding{Rule: RuleUnsafe, Severity: report.Error, File: rel(d.File),
				Message: fmt.Sprintf("zone %s: %s", origin, problem)})
		}
	}
	// A run that compared no zone found no drift because it looked at
	// nothing: that is no pass.
	if len(plans) == 0 {
		return r, fmt.Errorf("nothing compared: no zone of the desired records (%s) is in the live source %s",
			strings.Join(slices.Sorted(maps.Keys(desired)), ", "), c.live)
	}
	for _, file := range []string{c.plan, c.planDirFile()} {
		if file != "" {
			if err := writePlan(file, plans); err != nil {
				return r, fmt.Errorf("write plan: %w", err)
			}
		}
	}
	return r, nil
}

func (c *Check) planDirFile() string {
	if c.planDir == "" {
		return ""
	}
	return filepath.Join(c.planDir, "dns-plan.json")
}

func (c *Check) inCredentials(file string) string {
	if file == "" || c.credentials == "" || filepath.IsAbs(file) {
		return file
	}
	return filepath.Join(c.credentials, file)
}

// rel is where reports say p is.
func rel(p string) string {
	r, _ := report.RelPath(p)
	return r
}

func writePlan(file string, plans []ZonePlan) error {
	if plans == nil {
		plans = []ZonePlan{}
	}
	b, err := json.MarshalIndent(struct {
		Zones []ZonePlan `json:"zones"`
	}{plans}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return os.WriteFile(file, append(b, '\n'), 0o644)
}

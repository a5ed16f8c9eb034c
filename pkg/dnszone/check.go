package dnszone

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/plumbline/plumbline/pkg/change"
	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/config"
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
	RuleUncompared = "dns/not-compared"
	// RuleServerDrift: two live sources of one zone disagree.
	RuleServerDrift = "dns/server-drift"
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
	desired             string
	changes             change.Flags
	live                sources
	zones               cli.List
	safety              Safety
	failOnDrift         bool
	prune, dnssec       bool
	tsigFile, tsigEnv   string
	tokenFile, tokenEnv string
	credentials         string
	plan, planDir       string
	timeout             time.Duration
	allowHTTP           bool
	// configured are the zones of .plumbline.yaml, used when neither
	// --desired nor --live is given.
	configured []config.Zone
}

var (
	_ cli.Check        = (*Check)(nil)
	_ cli.Configurable = (*Check)(nil)
)

// sources is the repeatable --live flag: one source each, never split.
type sources []string

func (s *sources) String() string { return strings.Join(*s, " ") }
func (s *sources) Set(v string) error {
	*s = append(*s, v)
	return nil
}

func (c *Check) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.desired, "desired", "", "desired records: a zone file, a YAML file or a directory of them (`SRC`; with --live, default dns)")
	fs.Var(&c.live, "live", "live records: axfr://host[:port]/zone, technitium+https://host/zone, or a file or directory (`SRC`; repeatable: every server of the zone, compared with Git and with each other)")
	fs.Var(&c.zones, "zone", "only these `ZONES` (comma-separated, repeatable)")
	fs.Float64Var(&c.safety.MaxDeletePercent, "max-delete-percent", 30, "a plan deleting more than this share of a zone's RRsets is unsafe")
	fs.Float64Var(&c.safety.MaxUpdatePercent, "max-update-percent", 30, "a plan updating more than this share of a zone's RRsets is unsafe")
	fs.IntVar(&c.safety.MinRRsets, "min-rrsets", 10, "the percentages apply to zones with at least this many live RRsets")
	fs.BoolVar(&c.safety.AllowRootNS, "allow-root-ns", false, "allow changes to a zone's own NS records")
	fs.BoolVar(&c.safety.ExpectNoChanges, "expect-no-changes", false, "any change is an error (drift detection)")
	fs.BoolVar(&c.failOnDrift, "fail-on-drift", false, "live servers of one zone that disagree (dns/server-drift) are an error, not a warning")
	fs.BoolVar(&c.prune, "prune", false, "delete live RRsets of names the desired side never mentions (else: unmanaged)")
	fs.BoolVar(&c.dnssec, "dnssec", false, "compare DNSSEC records (RRSIG, NSEC, NSEC3, DNSKEY, …) too")
	fs.StringVar(&c.tsigFile, "tsig-key-file", "", "TSIG key for AXFR, from `FILE` (BIND key syntax or NAME:ALG:SECRET)")
	fs.StringVar(&c.tsigEnv, "tsig-env", "", "TSIG key for AXFR, from environment variable `NAME`")
	fs.StringVar(&c.tokenFile, "token-file", "", "Technitium API token from `FILE`")
	fs.StringVar(&c.tokenEnv, "token-env", "", "Technitium API token from environment variable `NAME`")
	fs.StringVar(&c.credentials, "credentials-dir", "", "resolve relative --tsig-key-file and --token-file in `DIR` (a Secret workspace); empty means the working directory")
	c.changes.Register(fs, "only the zones whose desired files it touches (or a file beside them, an $INCLUDE) are compared")
	fs.StringVar(&c.plan, "plan", "", "write the plan as JSON to `FILE` (docs/dns-zone-diff.md)")
	fs.StringVar(&c.planDir, "plan-dir", "", "write the plan as JSON to `DIR`/dns-plan.json; empty means none (for optional Tekton workspaces)")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "time limit for reading each live source")
	fs.BoolVar(&c.allowHTTP, "allow-http", false, "allow technitium+http://, which sends the API token unencrypted")
}

// Configure takes the zones of .plumbline.yaml (cli.Configurable), with
// their paths made relative to the working directory.
func (c *Check) Configure(cfg *config.Config) error {
	c.configured = cfg.ResolvedZones()
	return nil
}

// job is one desired source and the live sources to diff it against.
type job struct {
	zones               []string // only these zones of desired; empty: all
	desired             string
	live                []string
	tsigFile, tokenFile string
	names               string  // the desired zones read, for "nothing compared"
	checked             []*Zone // the desired zones compared, for Reverse
	// configured: the repository's config named the live sources, so a
	// pull request did: credentials go only to hosts the operator allows.
	configured bool
	// allowHTTP: the config lets this zone's technitium+http:// sources
	// have the token (with the operator's http:// line in allowed-hosts).
	allowHTTP bool
}

// narrow keeps, with --changes, the zones whose desired files the change
// touches, or a file in their directory (an $INCLUDE beside them); a
// change to no zone is a skip, and one to .plumbline.yaml compares all.
func (c *Check) narrow(jobs []job) ([]job, string, error) {
	set, err := c.changes.Load()
	if err != nil {
		return nil, "", cli.Usagef("--changes: %w", err)
	}
	if set == nil {
		return jobs, "", nil
	}
	desired := map[string]bool{}
	for _, j := range jobs {
		desired[filepath.ToSlash(filepath.Clean(j.desired))] = true
	}
	// A changed file beside a desired zone file that is no zone's own: an
	// $INCLUDE it may read.
	beside := func(d string) bool {
		for _, p := range set.Paths() {
			if path.Dir(p) == path.Dir(d) && !desired[p] {
				return true
			}
		}
		return false
	}
	var kept []job
	var left []string
	for _, j := range jobs {
		d := filepath.ToSlash(filepath.Clean(j.desired))
		if set.Under(d) || beside(d) {
			kept = append(kept, j)
			continue
		}
		left = append(left, cmp.Or(strings.Join(j.zones, ", "), d))
	}
	if len(kept) == 0 {
		return nil, "", cli.Skipf("the change touches no zone's desired records")
	}
	if len(left) == 0 {
		return kept, "", nil
	}
	return kept, fmt.Sprintf("%d zones the change does not touch: %s", len(left), report.Truncate(strings.Join(left, ", "), 500)), nil
}

func (c *Check) jobs() ([]job, error) {
	switch {
	case c.desired != "" || len(c.live) > 0:
		if len(c.live) == 0 {
			return nil, cli.Usagef("--desired and --live are both required")
		}
		if c.desired == "" {
			c.desired = "dns" // the repository layout's
		}
		return []job{{zones: c.zones, desired: c.desired, live: c.live, tsigFile: c.tsigFile, tokenFile: c.tokenFile}}, nil
	case len(c.configured) > 0:
		var jobs []job
		for _, z := range c.configured {
			if len(c.zones) > 0 && !slices.ContainsFunc(c.zones, func(n string) bool { return zonefile.Canonical(n) == zonefile.Canonical(z.Zone) }) {
				continue
			}
			j := job{desired: z.Desired, live: z.Live, tsigFile: cmp.Or(z.TSIGKeyFile, c.tsigFile), tokenFile: cmp.Or(z.TokenFile, c.tokenFile), configured: true, allowHTTP: z.AllowHTTP}
			if z.Zone != "" {
				j.zones = []string{z.Zone}
			}
			if len(j.live) > 0 {
				jobs = append(jobs, j)
			}
		}
		if len(jobs) == 0 {
			return nil, cli.Skipf("no zone in %s has a live source: nothing to compare with", config.FileName)
		}
		return jobs, nil
	}
	return nil, cli.Skipf("no DNS configured: no --desired and --live, and no dns.zones in %s", config.FileName)
}

// side is one source's zones, or why they could not be read.
type side struct {
	spec  string
	zones map[string]*Zone
	err   error
}

func (c *Check) Run(ctx context.Context, req cli.Request) (*report.Report, error) {
	if len(req.Paths) != 1 {
		return nil, cli.Usagef("one PATH: the repository root that $INCLUDE may not leave")
	}
	jobs, err := c.jobs()
	if err != nil {
		return nil, err
	}
	jobs, unchanged, err := c.narrow(jobs)
	if err != nil {
		return nil, err
	}
	r := &report.Report{Tool: Tool, Findings: []report.Finding{}, Counts: map[string]int{"creates": 0, "deletes": 0, "updates": 0}}
	var plans []ZonePlan
	var problems []error
	var missed []string
	compared := false
	for i := range jobs {
		j := &jobs[i]
		ps, done, err := c.run(ctx, req.Paths[0], j, r, req.Secrets)
		plans = append(plans, ps...)
		compared = compared || done
		if !done && err == nil {
			missed = append(missed, fmt.Sprintf("no zone of the desired records (%s) is in the live source %s", j.names, strings.Join(j.live, ", ")))
		}
		if err != nil {
			problems = append(problems, err)
		}
	}
	if unchanged != "" {
		r.Details = map[string]string{"unchanged": unchanged}
	}
	if len(problems) > 0 {
		return r, errors.Join(problems...)
	}
	// Forward and reverse zones are checked together, whichever zone
	// entries (or files) they came from.
	all := map[string]*Zone{}
	for i := range jobs {
		for _, z := range jobs[i].checked {
			if _, ok := all[z.Origin]; !ok {
				all[z.Origin] = z
			}
		}
	}
	for _, pr := range Reverse(all) {
		r.Findings = append(r.Findings, report.Finding{Rule: pr.Rule, Severity: report.Warning, File: rel(pr.File), Line: pr.Line, Message: pr.Msg})
	}
	// A run that compared no zone found no drift because it looked at
	// nothing: that is no pass.
	if !compared {
		return r, fmt.Errorf("nothing compared: %s", strings.Join(missed, "; "))
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

// run diffs one desired source against each of its live sources, read at
// once (a transfer waits on the network), and the live sources with each
// other; findings go into r.
func (c *Check) run(ctx context.Context, root string, j *job, r *report.Report, secrets *report.Secrets) ([]ZonePlan, bool, error) {
	if err := c.allowed(j); err != nil {
		return nil, false, err
	}
	tsig, err := ReadTSIG(c.inCredentials(j.tsigFile), c.tsigEnv)
	if err != nil {
		return nil, false, cli.Usagef("%w", err)
	}
	token, err := ReadToken(c.inCredentials(j.tokenFile), c.tokenEnv)
	if err != nil {
		return nil, false, cli.Usagef("%w", err)
	}
	if tsig != nil {
		secrets.Add(tsig.Secret)
	}
	secrets.Add(token)
	cfg := Config{Root: root, Options: Options{DNSSEC: c.dnssec}, TSIG: tsig, Token: token, AllowHTTP: c.allowHTTP || j.allowHTTP}
	if len(j.zones) == 1 {
		cfg.Zone = j.zones[0] // the zone a single zone file holds
	}
	desiredSrc, err := NewSource(j.desired, cfg)
	if err != nil {
		return nil, false, cli.Usagef("--desired: %w", err)
	}
	lives := make([]side, len(j.live))
	var srcs []Source
	for i, spec := range j.live {
		src, err := NewSource(spec, cfg)
		if err != nil {
			return nil, false, cli.Usagef("--live: %w", err)
		}
		switch s := src.(type) {
		case *AXFR:
			s.Timeout = c.timeout
		case *Technitium:
			s.Client.Timeout = c.timeout
		}
		srcs = append(srcs, src)
		lives[i].spec = spec
	}
	var wg sync.WaitGroup
	for i := range srcs {
		wg.Go(func() { lives[i].zones, lives[i].err = srcs[i].Zones(ctx) })
	}
	desired, derr := desiredSrc.Zones(ctx)
	// The desired zones' lines are wanted as soon as anything is found;
	// find them while the live side is still being read.
	for _, z := range desired {
		go z.indexLines() // LineOf waits for it (sync.Once)
	}
	wg.Wait()
	for _, l := range lives {
		for _, z := range l.zones {
			z.dropText() // lines are found on the desired side only
		}
	}
	// Unreadable records are a report too (its error finding says where),
	// so a pipeline sees why the diff did not happen.
	var errs []error
	if derr != nil {
		errs = append(errs, fmt.Errorf("desired: %w", derr))
	}
	for _, l := range lives {
		switch {
		case l.err != nil && len(lives) > 1:
			errs = append(errs, fmt.Errorf("live %s: %w", label(l.spec), l.err))
		case l.err != nil:
			errs = append(errs, fmt.Errorf("live: %w", l.err))
		}
	}
	if derr != nil {
		return nil, false, errors.Join(errs...)
	}
	// A zone asked for by name that the desired records do not hold is a
	// mistake, never a pass over nothing.
	for _, zone := range j.zones {
		if _, ok := desired[zonefile.Canonical(zone)]; !ok {
			return nil, false, cli.Usagef("--zone %s: not in the desired records %s (zones there: %s)", zone, j.desired,
				strings.Join(slices.Sorted(maps.Keys(desired)), ", "))
		}
	}
	j.names = strings.Join(slices.Sorted(maps.Keys(desired)), ", ")
	var plans []ZonePlan
	compared := false
	for _, origin := range slices.Sorted(maps.Keys(desired)) {
		d := desired[origin]
		if len(j.zones) > 0 && !slices.ContainsFunc(j.zones, func(z string) bool { return zonefile.Canonical(z) == origin }) {
			continue
		}
		r.Summary.Files++
		j.checked = append(j.checked, d)
		// Lint and the plans only read the zones: lint beside them, its
		// findings first as before.
		var problems []Problem
		var linted sync.WaitGroup
		linted.Go(func() { problems = Lint(d) })
		lintAt := len(r.Findings)
		var served []side // the live sources holding this zone, for drift
		for _, l := range lives {
			if l.err != nil {
				continue
			}
			lz, ok := l.zones[origin]
			if !ok {
				r.Findings = append(r.Findings, report.Finding{Rule: RuleNotInLive, Severity: report.Note, File: rel(d.File),
					Message: fmt.Sprintf("zone %s is not in the live source %s; not compared", origin, l.spec)})
				continue
			}
			served = append(served, side{spec: l.spec, zones: map[string]*Zone{origin: lz}})
			compared = true
			p := Diff(d, lz, c.prune)
			p.Live = l.spec
			c.safety.Check(&p)
			plans = append(plans, p)
			r.Counts["creates"] += p.Creates
			r.Counts["deletes"] += p.Deletes
			r.Counts["updates"] += p.Updates + p.TTLChanges
			on := ""
			if len(lives) > 1 {
				on = " on " + label(l.spec)
			}
			for _, ch := range p.Changes {
				ar := actionRules[ch.Action]
				r.Findings = append(r.Findings, report.Finding{Rule: ar.rule, Severity: ar.sev, Message: ch.String() + on, File: rel(ch.File), Line: ch.Line})
			}
			for _, k := range p.Uncompared {
				s := d.Sets[k]
				r.Findings = append(r.Findings, report.Finding{Rule: RuleUncompared, Severity: report.Warning, File: rel(s.File), Line: d.LineOf(s),
					Message: fmt.Sprintf("%s %s not compared%s: this record type is kept as written here and parsed on the live side", k.Name, k.Type, on)})
			}
			for _, problem := range p.Problems {
				r.Findings = append(r.Findings, report.Finding{Rule: RuleUnsafe, Severity: report.Error, File: rel(d.File),
					Message: fmt.Sprintf("zone %s%s: %s", origin, on, problem)})
			}
		}
		linted.Wait()
		lint := make([]report.Finding, len(problems))
		for i, pr := range problems {
			sev := report.Warning
			if pr.Error {
				sev = report.Error
			}
			lint[i] = report.Finding{Rule: pr.Rule, Severity: sev, File: rel(pr.File), Line: pr.Line, Message: pr.Msg}
		}
		r.Findings = slices.Insert(r.Findings, lintAt, lint...)
		if n := drift(r, d, served, c.failOnDrift); n > 0 {
			r.Counts["drift"] += n
		}
	}
	return plans, compared, errors.Join(errs...)
}

// AllowedHosts is the file in the credentials directory that lists, one a
// line, the hosts (or host:port) a TSIG key or token may be sent to when
// the live source comes from the repository's .plumbline.yaml.
const AllowedHosts = "allowed-hosts"

// allowed refuses to send credentials to a host the repository chose: a
// pull request that names technitium+https://its-own-host/… in
// .plumbline.yaml would otherwise receive the mounted token. In a
// pipeline (a credentials directory), such a host must be listed in its
// allowed-hosts file; flags and params are the operator's own.
func (c *Check) allowed(j *job) error {
	if !j.configured || c.credentials == "" || (j.tsigFile == "" && j.tokenFile == "" && c.tsigEnv == "" && c.tokenEnv == "") {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(c.credentials, AllowedHosts))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return cli.Usagef("%s: %w", AllowedHosts, err)
	}
	hosts := map[string]bool{}
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			hosts[strings.ToLower(l)] = true
		}
	}
	for _, spec := range j.live {
		u, err := url.Parse(spec)
		if err != nil || u.Host == "" {
			continue // a file: no credentials are sent anywhere
		}
		if u.Scheme == "technitium+http" && j.allowHTTP && !c.allowHTTP && !hosts["http://"+strings.ToLower(u.Host)] {
			// The config may ask for plain HTTP; only the operator may
			// grant it, host by host.
			return cli.Usagef("live source %s: %s's allowHTTP sends the API token unencrypted, and the credentials directory's %s "+
				"does not list http://%s: the operator allows plain HTTP, host by host", spec, config.FileName, AllowedHosts, u.Host)
		}
		if !hosts[strings.ToLower(u.Host)] && !hosts[strings.ToLower(u.Hostname())] && !hosts["http://"+strings.ToLower(u.Host)] {
			return cli.Usagef("live source %s comes from %s with credentials, and %s is not in the credentials directory's %s: "+
				"a repository may not choose where the TSIG key or token is sent", spec, config.FileName, u.Host, AllowedHosts)
		}
	}
	return nil
}

// drift compares every live source of one zone with the first: redundant
// servers that disagree (a zone transfer that broke) are wrong whatever
// Git says. Each difference is a dns/server-drift finding at the name's
// line in the desired records, when they hold it.
func drift(r *report.Report, d *Zone, served []side, failOnDrift bool) int {
	n := 0
	for i := 1; i < len(served); i++ {
		a, b := served[0], served[i]
		za, zb := a.zones[d.Origin], b.zones[d.Origin]
		p := Diff(za, zb, true)
		for _, ch := range p.Changes {
			var msg string
			an, bn := label(a.spec), label(b.spec)
			switch ch.Action {
			case Create: // a has it, b does not
				msg = fmt.Sprintf("%s lacks %s %s %s that %s has", bn, ch.Name, ch.Type, strings.Join(ch.New, " | "), an)
			case Delete:
				msg = fmt.Sprintf("%s has %s %s %s that %s lacks", bn, ch.Name, ch.Type, strings.Join(ch.Old, " | "), an)
			case Update:
				msg = fmt.Sprintf("%s %s is %s on %s but %s on %s", ch.Name, ch.Type, strings.Join(ch.New, " | "), an, strings.Join(ch.Old, " | "), bn)
			case TTLOnly:
				msg = fmt.Sprintf("%s %s has TTL %d on %s but %d on %s", ch.Name, ch.Type, ch.NewTTL, an, ch.OldTTL, bn)
			default:
				continue
			}
			sev := report.Warning
			if failOnDrift {
				sev = report.Error
			}
			f := report.Finding{Rule: RuleServerDrift, Severity: sev, File: rel(d.File), Message: "zone " + d.Origin + ": " + msg}
			if s, ok := d.Sets[Key{Name: ch.Name, Type: ch.Type}]; ok {
				f.File, f.Line = rel(s.File), d.LineOf(s)
			} else if line := d.NameLine(ch.Name); line > 0 {
				f.Line = line
			}
			r.Findings = append(r.Findings, f)
			n++
		}
	}
	return n
}

// label names a live source in messages: its host (and port), or its
// path.
func label(spec string) string {
	if u, err := url.Parse(spec); err == nil && u.Host != "" {
		return u.Host
	}
	return rel(spec)
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

// Command is the dns-zone-diff binary: its image's main, and plumbline check.
func Command() cli.Command {
	return cli.Command{Name: Tool, Synopsis: "[--desired SRC --live SRC ...] [ROOT]", Summary: "Plan the changes that make every live server of each zone match the desired records, flag unsafe plans, and servers that disagree.", Check: &Check{}}
}

package dnszone

import (
	"fmt"
	"slices"
	"strings"
)

// Rule ids of the checks on the desired records themselves.
const (
	RuleCNAMEConflict = "dns/cname-conflict"
	RuleDoubledOrigin = "dns/doubled-origin"
	RuleOutOfZone     = "dns/out-of-zone"
	// RuleNotLoadable is an error: BIND would not load the zone file
	// (named-checkzone: "not loaded due to errors"), and the whole zone
	// would go dark on the server. The message is BIND's.
	RuleNotLoadable = "dns/not-loadable"
	// RuleMXCNAME is a warning: an MX naming a CNAME, which BIND loads
	// with "is a CNAME (illegal)" and mail servers may refuse.
	RuleMXCNAME = "dns/mx-cname"
	// RuleNoTTL is a warning: no $TTL, so BIND takes the SOA minimum for
	// every record without a TTL (named-checkzone warns of it).
	RuleNoTTL = "dns/no-ttl"
)

// Problem is something wrong in the desired records, whatever the server has.
type Problem struct {
	Rule, Msg string
	Error     bool
	File      string
	Line      int
}

// cnameCompanions are the types allowed beside a CNAME.
var cnameCompanions = map[string]bool{"KEY": true, "NSEC": true, "RRSIG": true}

// Lint checks desired records for mistakes a server would accept or a
// resolver would punish: a CNAME beside other data at one name (RFC 1034
// 3.6.2), and a name-valued field ending in the zone twice, the mark of a
// relative name that needed a trailing dot.
func Lint(z *Zone) []Problem {
	var out []Problem
	// Only names with a CNAME need their other types listed.
	cnames := map[string]bool{}
	for k := range z.Sets {
		if k.Type == "CNAME" {
			cnames[k.Name] = true
		}
	}
	types, others := map[string][]string{}, map[string]int{}
	if len(cnames) > 0 {
		for k := range z.Sets {
			if !cnames[k.Name] {
				continue
			}
			types[k.Name] = append(types[k.Name], k.Type)
			// RFC 4034 and 2535: KEY, NSEC and RRSIG may stand beside a
			// CNAME, and BIND accepts them there.
			if k.Type != "CNAME" && !cnameCompanions[k.Type] {
				others[k.Name]++
			}
		}
		for _, t := range types {
			slices.Sort(t)
		}
	}
	doubled := "." + strings.TrimSuffix(z.Origin, ".") + "." + z.Origin
	// The zone's keys that have something to say, in canonical order.
	var keys []Key
	for k, s := range z.Sets {
		if k.Type == "CNAME" && others[k.Name] > 0 || strings.HasSuffix(k.Name, doubled) ||
			slices.ContainsFunc(s.Values, func(v string) bool { return hasSuffixFold(lastField(v), doubled) }) {
			keys = append(keys, k)
		}
	}
	sortCanonical(keys)
	if z.outside > 0 {
		msg := fmt.Sprintf("%s is outside zone %s: not part of the zone, ignored as BIND ignores out-of-zone data (a $ORIGIN or a trailing dot?)", z.firstOutside, z.Origin)
		if z.outside > 1 {
			msg = fmt.Sprintf("%d records outside zone %s, the first %s: not part of the zone, ignored as BIND ignores out-of-zone data (a $ORIGIN or a trailing dot?)", z.outside, z.Origin, z.firstOutside)
		}
		line := z.outsideLine
		if line == 0 {
			line = z.NameLine(z.firstOutside)
		}
		out = append(out, Problem{Rule: RuleOutOfZone, File: z.File, Line: line, Msg: msg})
	}
	out = append(out, loadable(z)...)
	out = append(out, z.warnings...)
	for _, k := range keys {
		s := z.Sets[k]
		if k.Type == "CNAME" && others[k.Name] > 0 {
			out = append(out, Problem{Rule: RuleCNAMEConflict, Error: true, File: s.File, Line: z.LineOf(s),
				Msg: fmt.Sprintf("%s has a CNAME and other records (%s); a CNAME must stand alone", k.Name, strings.Join(types[k.Name], ", "))})
		}
		if strings.HasSuffix(k.Name, doubled) {
			out = append(out, Problem{Rule: RuleDoubledOrigin, File: s.File, Line: z.LineOf(s),
				Msg: fmt.Sprintf("%s ends in the zone name twice; a trailing dot is probably missing", k.Name)})
		}
		for _, v := range s.Values {
			if last := lastField(v); hasSuffixFold(last, doubled) {
				out = append(out, Problem{Rule: RuleDoubledOrigin, File: s.File, Line: z.LineOf(s),
					Msg: fmt.Sprintf("%s %s points at %s, which ends in the zone name twice; a trailing dot is probably missing", k.Name, k.Type, last)})
			}
		}
	}
	return out
}

// lastField is the last white-space separated field of v, without
// splitting all of it (Lint reads every value of the zone).
func lastField(v string) string {
	end := len(v)
	for end > 0 && isBlank(v[end-1]) {
		end--
	}
	start := end
	for start > 0 && !isBlank(v[start-1]) {
		start--
	}
	return v[start:end]
}

func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// loadable lists what makes BIND refuse to load a zone file, in its own
// words (named-checkzone -i local, the checks named makes on load): no
// SOA, no NS at the apex, an NS whose name in the zone has no address or
// is a CNAME (an MX or SRV without one is logged, and loads), a DS at the
// apex, a record with no wire form (a TXT string over 255 bytes) or
// whose data BIND refuses (Zone.refused). An MX naming a CNAME loads,
// with a warning. A YAML list of records is not a zone
// file, and neither is a zone file without an SOA: both list records for
// a server that keeps its own SOA and NS (Technitium), and are not
// loaded by BIND as they are.
func loadable(z *Zone) []Problem {
	soaBelow := false // an SOA below the apex: meant as the zone's, and refused
	for _, r := range z.unwirable {
		soaBelow = soaBelow || r.key.Type == "SOA"
	}
	if !z.zoneFile || z.Sets[Key{z.Origin, "SOA"}] == nil && !soaBelow {
		return nil
	}
	var out []Problem
	zone := strings.TrimSuffix(z.Origin, ".")
	if zone == "" {
		zone = "."
	}
	bad := func(s *RRset, line int, format string, args ...any) {
		p := Problem{Rule: RuleNotLoadable, Error: true, File: z.File, Line: line,
			Msg: fmt.Sprintf(format, args...) + ": BIND would not load zone " + zone + " (named-checkzone: not loaded due to errors), and the whole zone would go dark"}
		if s != nil {
			p.File = s.File
			if p.Line == 0 {
				p.Line = z.LineOf(s)
			}
		}
		out = append(out, p)
	}
	if z.Sets[Key{z.Origin, "NS"}] == nil {
		bad(nil, 0, "zone %s/IN: has no NS records", zone)
	}
	has := func(name string) bool {
		return z.Sets[Key{name, "A"}] != nil || z.Sets[Key{name, "AAAA"}] != nil
	}
	// address: A or AAAA at the name, else from a wildcard above it, as
	// BIND's lookup finds it.
	address := func(name string) bool {
		if has(name) {
			return true
		}
		for n := name; n != z.Origin && n != "."; {
			_, parent, _ := strings.Cut(n, ".")
			if parent == "" {
				parent = "."
			}
			if has("*." + strings.TrimPrefix(parent, ".")) {
				return true
			}
			n = parent
		}
		return has("*." + strings.TrimPrefix(z.Origin, "."))
	}
	// belowCut: the name is beneath a delegation inside the zone (glue,
	// not the zone's own data: BIND does not refuse a zone for it).
	belowCut := func(name string) bool {
		for n := name; n != z.Origin && n != "."; {
			_, parent, _ := strings.Cut(n, ".")
			if parent == "" || parent == z.Origin {
				return false
			}
			if z.Sets[Key{parent, "NS"}] != nil {
				return true
			}
			n = parent
		}
		return false
	}
	var keys []Key
	for k := range z.Sets {
		// The apex NS, as BIND checks it; a delegation's NS is the child's.
		if k.Type == "NS" && k.Name == z.Origin || k.Type == "MX" || k.Type == "DS" && k.Name == z.Origin {
			keys = append(keys, k)
		}
	}
	sortCanonical(keys)
	for _, k := range keys {
		s := z.Sets[k]
		if k.Type == "DS" {
			bad(s, 0, "DS record at top of zone (%s)", zone)
			continue
		}
		for _, v := range s.Values {
			target := strings.ToLower(lastField(v))
			if !inZone(target, z.Origin) || belowCut(target) || target == "." {
				continue // out of zone, or glue: BIND checks the zone's own names only
			}
			shown := strings.TrimSuffix(target, ".")
			switch {
			case z.Sets[Key{target, "CNAME"}] != nil && k.Type == "NS":
				bad(s, 0, "zone %s/IN: NS '%s' is a CNAME (illegal)", zone, shown)
			case z.Sets[Key{target, "CNAME"}] != nil:
				out = append(out, Problem{Rule: RuleMXCNAME, File: s.File, Line: z.LineOf(s),
					Msg: fmt.Sprintf("zone %s/IN: %s/MX '%s' is a CNAME (illegal): BIND loads it with a warning, and mail servers may refuse to deliver", zone, strings.TrimSuffix(k.Name, "."), shown)})
			case k.Type == "NS" && !address(target):
				bad(s, 0, "zone %s/IN: NS '%s' has no address records (A or AAAA)", zone, shown)
			}
		}
	}
	if why := cdsConsistent(z); why != "" {
		bad(z.Sets[Key{z.Origin, "CDS"}], 0, "zone %s/IN: CDS/CDNSKEY consistency checks failed (%s)", zone, why)
	}
	for _, r := range z.unwirable {
		bad(z.Sets[r.key], r.line, "%s %s: %s", strings.TrimSuffix(r.key.Name, "."), r.key.Type, r.why)
	}
	return out
}

// cdsConsistent is why the apex CDS and CDNSKEY sets fail BIND's
// consistency check (dns_zone_cdscheck), or "": each algorithm they name
// needs a DNSKEY of that algorithm, and a deletion record (CDS 0 0 0 00,
// CDNSKEY 0 3 0 AA==) must stand alone. Only a zone read with --dnssec
// keeps these sets.
func cdsConsistent(z *Zone) string {
	keys := map[string]bool{}
	if s := z.Sets[Key{z.Origin, "DNSKEY"}]; s != nil {
		for _, v := range s.Values {
			if f := strings.Fields(v); len(f) >= 3 {
				keys[f[2]] = true
			}
		}
	}
	for _, c := range []struct {
		typ    string
		alg    int    // the field naming the algorithm
		delete string // the deletion record
	}{{"CDS", 1, "0 0 0 00"}, {"CDNSKEY", 2, "0 3 0 AA=="}} {
		s := z.Sets[Key{z.Origin, c.typ}]
		if s == nil {
			continue
		}
		deletion := false
		for _, v := range s.Values {
			if strings.Join(strings.Fields(v), " ") == c.delete {
				deletion = true
			}
		}
		if deletion && len(s.Values) > 1 {
			return "a " + c.typ + " deletion record beside others"
		}
		for _, v := range s.Values {
			f := strings.Fields(v)
			if deletion || len(f) <= c.alg {
				continue
			}
			if alg := f[c.alg]; alg != "253" && alg != "254" && !keys[alg] { // private algorithms are matched by key, not number
				return fmt.Sprintf("%s of algorithm %s, and no DNSKEY of it", c.typ, alg)
			}
		}
	}
	return ""
}

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
		out = append(out, Problem{Rule: RuleOutOfZone, File: z.File, Msg: msg})
	}
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

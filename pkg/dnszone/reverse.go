package dnszone

import (
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// Rules of forward and reverse zones managed together.
const (
	RulePTRMissing  = "dns/ptr-missing"
	RulePTRMismatch = "dns/ptr-mismatch"
)

// Reverse checks that the forward and reverse zones among zones agree, as
// no single tool checks them (named-checkzone reads one zone at a time):
// an address of a forward zone that falls in a managed reverse zone has a
// PTR there, and a PTR naming a host of a managed forward zone names one
// that has that address. Addresses outside every managed reverse zone,
// and targets outside every managed forward zone, are not judged.
func Reverse(zones map[string]*Zone) []Problem {
	var forward, reverse []*Zone
	for _, origin := range slices.Sorted(maps.Keys(zones)) {
		z := zones[origin]
		if strings.HasSuffix(origin, ".in-addr.arpa.") || strings.HasSuffix(origin, ".ip6.arpa.") {
			reverse = append(reverse, z)
		} else {
			forward = append(forward, z)
		}
	}
	if len(forward) == 0 || len(reverse) == 0 {
		return nil
	}
	within := func(name string, in []*Zone) *Zone {
		var best *Zone
		for _, z := range in {
			if inZone(name, z.Origin) && (best == nil || len(z.Origin) > len(best.Origin)) {
				best = z
			}
		}
		return best
	}
	var out []Problem
	for _, f := range forward {
		for _, k := range sortedKeys(f) {
			if k.Type != "A" && k.Type != "AAAA" || strings.HasPrefix(k.Name, "*.") {
				continue
			}
			s := f.Sets[k]
			for _, addr := range s.Values {
				rev, err := dns.ReverseAddr(addr)
				if err != nil {
					continue
				}
				r := within(rev, reverse)
				if r == nil {
					continue
				}
				if _, ok := r.Sets[Key{Name: rev, Type: "PTR"}]; ok {
					continue // pointing at this name or at another of the address's names
				}
				out = append(out, Problem{Rule: RulePTRMissing, File: s.File, Line: f.LineOf(s),
					Msg: fmt.Sprintf("%s %s %s has no PTR at %s in the managed reverse zone %s: reverse lookups of the address (logs, SSH, mail) find no name", k.Name, k.Type, addr, rev, r.Origin)})
			}
		}
	}
	for _, r := range reverse {
		for _, k := range sortedKeys(r) {
			if k.Type != "PTR" {
				continue
			}
			ip := addressOf(k.Name)
			if ip == nil {
				continue // a classless delegation's name, or a partial one
			}
			typ := "A"
			if ip.To4() == nil {
				typ = "AAAA"
			}
			s := r.Sets[k]
			for _, target := range s.Values {
				f := within(target, forward)
				if f == nil {
					continue
				}
				if a, ok := f.Sets[Key{Name: target, Type: typ}]; ok && slices.Contains(a.Values, ip.String()) {
					continue
				}
				has := fmt.Sprintf("has no %s record in the managed zone %s", typ, f.Origin)
				if a, ok := f.Sets[Key{Name: target, Type: typ}]; ok {
					has = fmt.Sprintf("has %s %s in the managed zone %s, not %s", typ, strings.Join(a.Values, ", "), f.Origin, ip)
				}
				out = append(out, Problem{Rule: RulePTRMismatch, File: s.File, Line: r.LineOf(s),
					Msg: fmt.Sprintf("%s PTR %s, but %s %s: forward and reverse disagree", k.Name, target, target, has)})
			}
		}
	}
	return out
}

// addressOf is the address a full reverse name stands for, or nil.
func addressOf(name string) net.IP {
	labels := dns.SplitDomainName(name)
	switch {
	case strings.HasSuffix(name, ".in-addr.arpa.") && len(labels) == 6:
		parts := make([]string, 4)
		for i := range 4 {
			parts[3-i] = labels[i]
		}
		return net.ParseIP(strings.Join(parts, ".")).To4()
	case strings.HasSuffix(name, ".ip6.arpa.") && len(labels) == 34:
		var b strings.Builder
		for i := 31; i >= 0; i-- {
			if len(labels[i]) != 1 {
				return nil
			}
			b.WriteString(labels[i])
			if i%4 == 0 && i > 0 {
				b.WriteByte(':')
			}
		}
		return net.ParseIP(b.String())
	}
	return nil
}

// sortedKeys are a zone's RRset keys in DNS order, so findings come in a
// stable order.
func sortedKeys(z *Zone) []Key {
	keys := slices.Collect(maps.Keys(z.Sets))
	sortCanonical(keys)
	return keys
}

package dnszone

import (
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// Key names an RRset.
type Key struct {
	Name string // lower-case, fully qualified
	Type string // e.g. "A", "MX"
}

// RRset is the normalised records of one name and type.
type RRset struct {
	Key
	TTL    uint32
	Values []string // normalised rdata, sorted, unique
	File   string   // where the desired side declares it
	Line   int
}

// Zone is one zone's records.
type Zone struct {
	Origin string // lower-case, fully qualified
	File   string // source file, for findings
	Sets   map[Key]*RRset
}

func newZone(origin, file string) *Zone {
	return &Zone{Origin: canonicalName(origin), File: file, Sets: map[Key]*RRset{}}
}

// Records counts the records (values) in the zone.
func (z *Zone) Records() int {
	n := 0
	for _, s := range z.Sets {
		n += len(s.Values)
	}
	return n
}

// Keys returns the RRset keys in a stable order.
func (z *Zone) Keys() []Key {
	keys := make([]Key, 0, len(z.Sets))
	for k := range z.Sets {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b Key) int {
		return cmpKey(a, b)
	})
	return keys
}

func cmpKey(a, b Key) int {
	if c := strings.Compare(reverseName(a.Name), reverseName(b.Name)); c != 0 {
		return c
	}
	return strings.Compare(a.Type, b.Type)
}

// reverseName orders names as DNS does: by label from the root, so a zone's
// apex comes first and subdomains follow their parent.
func reverseName(n string) string {
	labels := dns.SplitDomainName(n)
	slices.Reverse(labels)
	return strings.Join(labels, ".")
}

func canonicalName(n string) string { return strings.ToLower(dns.Fqdn(n)) }

// dnssecTypes are left out unless asked for: signatures change on every
// re-sign and are not what a Git repository manages.
var dnssecTypes = map[uint16]bool{
	dns.TypeRRSIG: true, dns.TypeNSEC: true, dns.TypeNSEC3: true, dns.TypeNSEC3PARAM: true,
	dns.TypeDNSKEY: true, dns.TypeCDS: true, dns.TypeCDNSKEY: true,
}

// Options say what normalisation keeps.
type Options struct {
	DNSSEC bool // keep DNSSEC records
}

// add normalises rr and adds it to z; it reports whether rr was kept.
func (z *Zone) add(rr dns.RR, opts Options, file string, line int) bool {
	h := rr.Header()
	if h.Rrtype == dns.TypeOPT || (!opts.DNSSEC && dnssecTypes[h.Rrtype]) {
		return false
	}
	name := canonicalName(h.Name)
	if !dns.IsSubDomain(z.Origin, name) {
		return false
	}
	k := Key{Name: name, Type: dns.TypeToString[h.Rrtype]}
	if k.Type == "" {
		k.Type = fmt.Sprintf("TYPE%d", h.Rrtype)
	}
	v := normalValue(rr)
	s := z.Sets[k]
	if s == nil {
		s = &RRset{Key: k, TTL: h.Ttl, File: file, Line: line}
		z.Sets[k] = s
	}
	if i, found := slices.BinarySearch(s.Values, v); !found {
		s.Values = slices.Insert(s.Values, i, v)
	}
	s.TTL = min(s.TTL, h.Ttl) // an RRset has one TTL; the smallest wins, as resolvers see it
	return true
}

// normalValue renders rdata so that equal data compares equal: names in
// lower case, TXT strings joined, the SOA serial left out.
func normalValue(rr dns.RR) string {
	rr = dns.Copy(rr)
	switch r := rr.(type) {
	case *dns.CNAME:
		r.Target = strings.ToLower(r.Target)
	case *dns.NS:
		r.Ns = strings.ToLower(r.Ns)
	case *dns.PTR:
		r.Ptr = strings.ToLower(r.Ptr)
	case *dns.MX:
		r.Mx = strings.ToLower(r.Mx)
	case *dns.SRV:
		r.Target = strings.ToLower(r.Target)
	case *dns.DNAME:
		r.Target = strings.ToLower(r.Target)
	case *dns.SOA:
		r.Ns, r.Mbox, r.Serial = strings.ToLower(r.Ns), strings.ToLower(r.Mbox), 0
	case *dns.TXT:
		return quoteTXT(strings.Join(r.Txt, ""))
	case *dns.SPF:
		return quoteTXT(strings.Join(r.Txt, ""))
	}
	s := rr.String()
	return strings.TrimPrefix(s, rr.Header().String())
}

func quoteTXT(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

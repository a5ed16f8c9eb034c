package dnszone

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/miekg/dns"
	"github.com/plumbline/plumbline/pkg/zonefile"
)

// Key names an RRset.
type Key struct {
	Name string // lower-case, fully qualified
	Type string // e.g. "A", "MX"
}

// RRset is the normalised records of one name and type.
type RRset struct {
	Key
	Values []string // normalised rdata, sorted, unique
	File   string   // where the desired side declares it
	Line   int
	TTL    uint32 // beside Opaque: 88 bytes, not 96, times every RRset of two zones
	// Opaque RRsets hold data as written, of a type miekg/dns cannot
	// parse: comparable only with another opaque RRset.
	Opaque bool
}

// Zone is one zone's records.
type Zone struct {
	Origin string // lower-case, fully qualified
	File   string // source file, for findings
	Sets   map[Key]*RRset

	// text is the zone file, kept to find lines for findings only when
	// there are findings: most RRsets of a large zone never need one.
	text      []byte
	lineIndex *zonefile.OwnerIndex
	lines     sync.Once // makes lineIndex: LineOf may be called from the lint and the plan at once

	sets   []RRset  // the unused rest of the current slab of RRsets
	values []string // and of first values

	// outside counts the records of names outside the zone, left out as
	// BIND leaves them out ("ignoring out-of-zone data"); firstOutside is
	// the first such name. Lint says so: a dropped record is a finding.
	outside      int
	firstOutside string
	outsideLine  int // firstOutside's line, where the file has lines

	// zoneFile: read from an RFC 1035 file, which must load as a zone in
	// BIND (YAML is a list of records). unwirable are its records whose
	// data cannot be put on the wire (a TXT string over 255 bytes), which
	// BIND refuses.
	zoneFile  bool
	unwirable []badRecord
	soa       string    // the first SOA record's data, serial and all
	warnings  []Problem // what BIND warns of as it loads the file
}

// badRecord is a record BIND would refuse, and why.
type badRecord struct {
	key  Key
	line int
	why  string
}

// LineOf returns the line an RRset is declared on in the desired file, or 0.
func (z *Zone) LineOf(s *RRset) int {
	if s.Line > 0 {
		return s.Line
	}
	z.indexLines()
	if z.lineIndex == nil {
		return 0
	}
	return z.lineIndex.Line(s.Name)
}

// indexLines finds the line of every owner of the zone file, once; a
// check that will report lines starts it early, on the core that is free.
func (z *Zone) indexLines() {
	z.lines.Do(func() {
		if z.text != nil {
			z.lineIndex = zonefile.NewOwnerIndex(z.text, z.Origin)
			z.text = nil // the index is all LineOf needs
		}
	})
}

// slab is how many RRsets (and first values) are allocated at once: a
// zone of 100,000 RRsets is then a hundred allocations, not 200,000.
const slab = 1024

// newRRset hands out the next RRset of the zone's current slab.
func (z *Zone) newRRset() *RRset {
	if len(z.sets) == 0 {
		z.sets = make([]RRset, slab)
	}
	s := &z.sets[0]
	z.sets = z.sets[1:]
	return s
}

// oneValue is a one-element Values slice from the zone's current slab;
// its capacity is one, so adding a second value copies it out.
func (z *Zone) oneValue(v string) []string {
	if len(z.values) == 0 {
		z.values = make([]string, slab)
	}
	out := z.values[:1:1]
	out[0] = v
	z.values = z.values[1:]
	return out
}

// dropText forgets the zone file's text: a live zone's findings never
// need its lines, and two large zones' texts are megabytes.
func (z *Zone) dropText() { z.text, z.lineIndex = nil, nil }

// NameLine returns the first line name is an owner on in the desired
// file, or 0.
func (z *Zone) NameLine(name string) int {
	return z.LineOf(&RRset{Key: Key{Name: name}})
}

func newZone(origin, file string) *Zone {
	return newZoneSized(origin, file, 0)
}

// newZoneSized pre-sizes for about n RRsets: growing a map of 100,000
// entries step by step costs more than parsing them.
func newZoneSized(origin, file string, n int) *Zone {
	return &Zone{Origin: zonefile.Canonical(origin), File: file, Sets: make(map[Key]*RRset, n)}
}

// Records counts the records (values) in the zone.
func (z *Zone) Records() int {
	n := 0
	for _, s := range z.Sets {
		n += len(s.Values)
	}
	return n
}

// reverseName orders names as DNS does: by label from the root, so a zone's
// apex comes first and subdomains follow their parent.
// sortCanonical sorts keys as Keys does: by name in DNS order (labels
// from the root), then type.
func sortCanonical(keys []Key) {
	rev := make([]string, len(keys))
	idx := make([]int, len(keys))
	for i, k := range keys {
		rev[i], idx[i] = reverseName(k.Name), i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := strings.Compare(rev[a], rev[b]); c != 0 {
			return c
		}
		return strings.Compare(keys[a].Type, keys[b].Type)
	})
	sorted := make([]Key, len(keys))
	for i, j := range idx {
		sorted[i] = keys[j]
	}
	copy(keys, sorted)
}

func reverseName(n string) string {
	if strings.Contains(n, `\`) { // escaped dots: let miekg/dns split
		labels := dns.SplitDomainName(n)
		slices.Reverse(labels)
		return strings.Join(labels, ".")
	}
	n = strings.TrimSuffix(n, ".")
	var b strings.Builder
	b.Grow(len(n))
	for end := len(n); end > 0; {
		start := strings.LastIndexByte(n[:end], '.') + 1
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(n[start:end])
		end = start - 1
	}
	return b.String()
}

// inZone reports whether a canonical name is the origin or below it.
func inZone(name, origin string) bool {
	return name == origin || strings.HasSuffix(name, "."+origin) || origin == "."
}

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
	if why := z.refused(rr); why != "" {
		z.refuse(h.Name, h.Rrtype, line, why)
	}
	if h.Rrtype == dns.TypeOPT || (!opts.DNSSEC && dnssecTypes[h.Rrtype]) {
		return false
	}
	v, err := canonicalValue(rr)
	if err != nil {
		z.refuse(h.Name, h.Rrtype, line, err.Error())
	}
	return z.addValue(h.Name, h.Rrtype, h.Ttl, v, file, line)
}

// refuse records that BIND would refuse a record, and why (within a
// budget: the first hundred say enough).
func (z *Zone) refuse(owner string, typ uint16, line int, why string) {
	if len(z.unwirable) < 100 {
		k := Key{Name: zonefile.Canonical(owner), Type: dns.TypeToString[typ]}
		if k.Type == "" {
			k.Type = fmt.Sprintf("TYPE%d", typ)
		}
		z.unwirable = append(z.unwirable, badRecord{key: k, line: line, why: why})
	}
}

// refused is why BIND refuses rr in a zone file though it has a wire
// form, in BIND's words, or "": a class other than IN, a meta type, an
// SOA below the apex, an NS at a wildcard, a second SOA, a ZONEMD digest
// of the wrong length, SVCB/HTTPS and NAPTR data BIND's parser refuses
// (rdata.go).
func (z *Zone) refused(rr dns.RR) string {
	h := rr.Header()
	if z.zoneFile && h.Class != dns.ClassINET {
		return fmt.Sprintf("class '%s' != zone class 'IN'", dns.ClassToString[h.Class])
	}
	switch h.Rrtype {
	case dns.TypeANY, dns.TypeAXFR, dns.TypeIXFR, dns.TypeMAILA, dns.TypeMAILB, dns.TypeOPT, dns.TypeTSIG, dns.TypeTKEY:
		return fmt.Sprintf("type '%s': invalid use of a meta type", dns.TypeToString[h.Rrtype])
	}
	if !inZone(zonefile.Canonical(h.Name), z.Origin) {
		return "" // out of the zone: dropped, as BIND drops it (dns/out-of-zone)
	}
	switch h.Rrtype {
	case dns.TypeSOA:
		if !z.zoneFile {
			return ""
		}
		if zonefile.Canonical(h.Name) != z.Origin {
			return fmt.Sprintf("SOA record not at top of zone (%s)", strings.TrimSuffix(h.Name, "."))
		}
		data := strings.TrimPrefix(rr.String(), h.String())
		if z.soa == "" {
			z.soa = data
		} else if !strings.EqualFold(z.soa, data) {
			return "multiple RRs of singleton type"
		}
	case dns.TypeNS:
		if strings.HasPrefix(h.Name, "*.") || h.Name == "*" {
			return "invalid NS owner name (wildcard)"
		}
	case dns.TypeSVCB, dns.TypeHTTPS, dns.TypeNAPTR:
		return refusedData(rr)
	case dns.TypeZONEMD:
		r := rr.(*dns.ZONEMD)
		n := len(r.Digest) / 2
		switch {
		case r.Hash == 1 && n != 48, r.Hash == 2 && n != 64:
			return fmt.Sprintf("a ZONEMD digest of hash algorithm %d has %d bytes, where BIND reads exactly %d", r.Hash, n, map[uint8]int{1: 48, 2: 64}[r.Hash])
		case n < 12:
			return fmt.Sprintf("a ZONEMD digest has %d bytes, where BIND reads at least 12", n)
		}
	}
	return ""
}

// addValue adds a record of owner (as written) and type whose normalised
// data is v; it reports whether it was kept (in the zone).
func (z *Zone) addValue(owner string, typ uint16, ttl uint32, v, file string, line int) bool {
	name := zonefile.Canonical(owner)
	if !inZone(name, z.Origin) {
		if z.outside++; z.outside == 1 {
			z.firstOutside, z.outsideLine = name, line
		}
		return false
	}
	k := Key{Name: name, Type: dns.TypeToString[typ]}
	if k.Type == "" {
		k.Type = fmt.Sprintf("TYPE%d", typ)
	}
	s := z.Sets[k]
	if s == nil {
		s = z.newRRset()
		*s = RRset{Key: k, TTL: ttl, File: file, Line: line, Values: z.oneValue(v)}
		z.Sets[k] = s
	} else {
		if i, found := slices.BinarySearch(s.Values, v); !found {
			s.Values = slices.Insert(s.Values, i, v)
			if typ == dns.TypeCNAME || typ == dns.TypeDNAME || typ == dns.TypeRESINFO {
				z.refuse(owner, typ, line, "multiple RRs of singleton type")
			}
		}
		// An RRset has one TTL: the first record's, as BIND loads it
		// ("TTL set to prior TTL"). Plain address records arrive out of
		// file order, so first is by line. The signatures of a name,
		// one set here, are as many sets to BIND, one per type they
		// cover, each with its own TTL: the smallest stands for them.
		switch {
		case typ == dns.TypeRRSIG || typ == dns.TypeSIG:
			s.TTL = min(s.TTL, ttl)
		case file == s.File && line < s.Line:
			s.TTL, s.Line = ttl, line
		}
	}
	return true
}

// normalValue renders rdata so that equal data compares equal, as BIND
// compares it: in canonical form (RFC 4034 6.2), its wire bytes printed
// back. So hex is case-insensitive (TLSA, DS, ZONEMD), SVCB/HTTPS
// parameters and mandatory keys are in key order, escapes in names and
// TXT are decoded (\066b is Bb), NSEC bitmaps are sets, a type written
// generically (TYPE1 \# 4 c0000201) is its type; names that RFC 4034
// lower-cases are lower-cased; the SOA serial is left out, TXT strings
// joined (a server may split them its own way). Owner, TTL and class are
// never part of it.
func normalValue(rr dns.RR) string {
	v, _ := canonicalValue(rr)
	return v
}

// canonicalValue is normalValue, and why the record has no wire form
// (then the value is as written): BIND refuses such a record.
func canonicalValue(rr dns.RR) (string, error) {
	switch r := rr.(type) { // the common types, without printing the header
	case *dns.A:
		return r.A.String(), nil
	case *dns.AAAA:
		return r.AAAA.String(), nil
	// Names and strings written plainly are their own canonical form:
	// the round trip below would print them back as they are, at the
	// cost of most of a large zone's garbage (FuzzPlainCanonical).
	case *dns.NS:
		if plainName(r.Ns) {
			return strings.ToLower(r.Ns), nil
		}
	case *dns.CNAME:
		if plainName(r.Target) {
			return strings.ToLower(r.Target), nil
		}
	case *dns.PTR:
		if plainName(r.Ptr) {
			return strings.ToLower(r.Ptr), nil
		}
	case *dns.MX:
		if plainName(r.Mx) {
			return strconv.Itoa(int(r.Preference)) + " " + strings.ToLower(r.Mx), nil
		}
	case *dns.TXT:
		if plainStrings(r.Txt) {
			return `"` + strings.Join(r.Txt, "") + `"`, nil
		}
	case *dns.RRSIG:
		// Most of a signed zone: a signer written plainly and a signature
		// in canonical base64 print back as they are.
		if plainName(r.SignerName) && canonicalBase64(r.Signature) {
			return dns.Type(r.TypeCovered).String() + " " + strconv.Itoa(int(r.Algorithm)) + " " +
				strconv.Itoa(int(r.Labels)) + " " + strconv.FormatUint(uint64(r.OrigTtl), 10) + " " +
				dns.TimeToString(r.Expiration) + " " + dns.TimeToString(r.Inception) + " " +
				strconv.Itoa(int(r.KeyTag)) + " " + strings.ToLower(r.SignerName) + " " + r.Signature, nil
		}
	}
	return wireValue(rr)
}

// canonicalBase64 reports whether s is base64 as a round trip prints it:
// the standard alphabet, padded, no bits set past the data, not empty.
func canonicalBase64(s string) bool {
	if s == "" || len(s)%4 != 0 {
		return false
	}
	var buf [96]byte // a 2048-bit signature's 256 bytes decode in three goes
	for len(s) > 0 {
		n := min(len(s), 128)
		if _, err := base64.StdEncoding.Strict().Decode(buf[:], []byte(s[:n])); err != nil {
			return false
		}
		s = s[n:]
	}
	return true
}

// wireValue is canonicalValue through the wire: rr in canonical form,
// packed and unpacked, printed.
func wireValue(rr dns.RR) (string, error) {
	rr = canonical(rr)
	if r, ok := rr.(*dns.SOA); ok {
		r.Serial = 0
	}
	wire, err := roundTrip(rr)
	if err == nil {
		rr = wire
		canonicalNames(rr) // an escaped capital (\077) is a capital only now
	}
	switch r := rr.(type) {
	case *dns.TXT:
		return `"` + strings.Join(r.Txt, "") + `"`, err
	case *dns.SPF:
		return `"` + strings.Join(r.Txt, "") + `"`, err
	}
	return strings.TrimPrefix(rr.String(), rr.Header().String()), err
}

// plainName reports whether a name as miekg/dns holds it (fully
// qualified) is printed back unchanged by a round trip through the wire,
// but for case: letters, digits, '-', '_' and '*' in labels of 1 to 63
// bytes, at most 255 bytes in all, no escape.
func plainName(n string) bool {
	if len(n) == 0 || len(n) > 254 || n[len(n)-1] != '.' {
		return false
	}
	if n == "." {
		return true
	}
	label := 0
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case c == '.':
			if label == 0 || label > 63 {
				return false
			}
			label = 0
			continue
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '*':
		default:
			return false
		}
		label++
	}
	return true
}

// plainStrings reports whether character strings as miekg/dns holds them
// are printed back unchanged by a round trip: printable ASCII, no quote
// or escape, at most 255 bytes each.
func plainStrings(ss []string) bool {
	for _, s := range ss {
		if len(s) > 255 {
			return false
		}
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
				return false
			}
		}
	}
	return true
}

// roundTrip packs rr without compression and unpacks it: what is left is
// the data itself, printed one way whatever way it was written.
func roundTrip(rr dns.RR) (dns.RR, error) {
	buf := make([]byte, dns.Len(rr)+64)
	off, err := dns.PackRR(rr, buf, 0, nil, false)
	if err != nil {
		return nil, err
	}
	out, _, err := dns.UnpackRR(buf[:off], 0)
	if err == nil && out == nil {
		err = fmt.Errorf("no record")
	}
	return out, err
}

// canonical is a copy of rr with the names RFC 4034 lower-cases
// lower-cased and type bitmaps as sets (sorted, once each).
func canonical(rr dns.RR) dns.RR {
	rr = dns.Copy(rr) // the caller owns rr
	canonicalNames(rr)
	var bitmap *[]uint16
	switch r := rr.(type) {
	case *dns.NSEC:
		bitmap = &r.TypeBitMap
	case *dns.NSEC3:
		bitmap = &r.TypeBitMap
	case *dns.CSYNC:
		bitmap = &r.TypeBitMap
	case *dns.NXT:
		bitmap = &r.TypeBitMap
	}
	if bitmap != nil {
		slices.Sort(*bitmap)
		*bitmap = slices.Compact(*bitmap)
	}
	return rr
}

// canonicalNames lower-cases the names in rdata that RFC 4034 section
// 6.2 (as RFC 6840 amends it) lower-cases in canonical form.
func canonicalNames(rr dns.RR) {
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
		r.Ns, r.Mbox = strings.ToLower(r.Ns), strings.ToLower(r.Mbox)
	case *dns.NAPTR:
		r.Replacement = strings.ToLower(r.Replacement)
	case *dns.KX:
		r.Exchanger = strings.ToLower(r.Exchanger)
	case *dns.RP:
		r.Mbox, r.Txt = strings.ToLower(r.Mbox), strings.ToLower(r.Txt)
	case *dns.AFSDB:
		r.Hostname = strings.ToLower(r.Hostname)
	case *dns.RT:
		r.Host = strings.ToLower(r.Host)
	case *dns.PX:
		r.Map822, r.Mapx400 = strings.ToLower(r.Map822), strings.ToLower(r.Mapx400)
	case *dns.MINFO:
		r.Rmail, r.Email = strings.ToLower(r.Rmail), strings.ToLower(r.Email)
	case *dns.MB:
		r.Mb = strings.ToLower(r.Mb)
	case *dns.MG:
		r.Mg = strings.ToLower(r.Mg)
	case *dns.MR:
		r.Mr = strings.ToLower(r.Mr)
	case *dns.MD:
		r.Md = strings.ToLower(r.Md)
	case *dns.MF:
		r.Mf = strings.ToLower(r.Mf)
	case *dns.NSEC:
		r.NextDomain = strings.ToLower(r.NextDomain)
	case *dns.NXT:
		r.NextDomain = strings.ToLower(r.NextDomain)
	case *dns.RRSIG:
		r.SignerName = strings.ToLower(r.SignerName)
	}
}

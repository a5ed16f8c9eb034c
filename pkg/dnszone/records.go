package dnszone

import (
	"bytes"
	"github.com/plumbline/plumbline/pkg/report"
	"strings"

	"github.com/miekg/dns"
)

// Record is one resource record as policies see it (policy-check's zone
// parser): the owner name fully qualified and lower-case, the data in
// presentation format, and the line its owner name is written on.
type Record struct {
	Name  string
	Type  string
	Class string
	TTL   uint32
	Value string
	Line  int
}

// ParseRecords reads the records of a zone file in file order, as BIND
// reads them; ZoneName decides the zone. $INCLUDE is refused, as a policy
// input is one file.
func ParseRecords(file string, data []byte) (origin string, recs []Record, err error) {
	if bytes.Contains(bytes.ToUpper(data), []byte("$INCLUDE")) {
		return "", nil, &report.InputError{File: file, Msg: "$INCLUDE is not allowed in a policy input"}
	}
	origin, err = ZoneName(file, data, "")
	if err != nil {
		return "", nil, err
	}
	lines := ownerLines(data, origin)
	err = readRecords(file, data, origin, false, func(rr dns.RR) {
		h := rr.Header()
		name := canonicalName(h.Name)
		recs = append(recs, Record{
			Name: name, Type: dns.TypeToString[h.Rrtype], Class: dns.ClassToString[h.Class], TTL: h.Ttl,
			Value: strings.TrimPrefix(rr.String(), h.String()), Line: lines[name],
		})
	}, func(o opaqueRR) {
		recs = append(recs, Record{Name: canonicalName(o.name), Type: typeKey(o.typ), Class: "IN", TTL: o.ttl, Value: o.value, Line: o.line})
	})
	if err != nil {
		return "", nil, err
	}
	return origin, recs, nil
}

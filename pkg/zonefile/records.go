package zonefile

import (
	"bytes"
	"strings"

	"github.com/miekg/dns"
	"github.com/plumbline/plumbline/pkg/report"
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

// Records reads the records of a zone file in file order, as BIND
// reads them; Name decides the zone. $INCLUDE is refused, as a policy
// input is one file.
func Records(file string, data []byte) (origin string, recs []Record, err error) {
	if bytes.Contains(bytes.ToUpper(data), []byte("$INCLUDE")) {
		return "", nil, &report.InputError{File: file, Msg: "$INCLUDE is not allowed in a policy input"}
	}
	origin, err = Name(file, data, "")
	if err != nil {
		return "", nil, err
	}
	lines := OwnerLines(data, origin)
	err = Read(file, data, origin, "", func(rr dns.RR) {
		h := rr.Header()
		name := Canonical(h.Name)
		recs = append(recs, Record{
			Name: name, Type: dns.TypeToString[h.Rrtype], Class: dns.ClassToString[h.Class], TTL: h.Ttl,
			Value: strings.TrimPrefix(rr.String(), h.String()), Line: lines[name],
		})
	}, func(o Opaque) {
		recs = append(recs, Record{Name: Canonical(o.Name), Type: TypeKey(o.Type), Class: "IN", TTL: o.TTL, Value: o.Value, Line: o.Line})
	})
	if err != nil {
		return "", nil, err
	}
	return origin, recs, nil
}

package dnszone

import (
	"bytes"
	"fmt"

	"github.com/miekg/dns"

	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/zonefile"
)

// ReadZoneFile parses an RFC 1035 zone file of zone (empty: zonefile.Name
// decides) as BIND reads it. root bounds $INCLUDE: an include must stay
// inside it and must not loop.
func ReadZoneFile(file, zone, root string, opts Options) (*Zone, error) {
	data, err := zonefile.ReadFile(root, file)
	if err != nil {
		return nil, err
	}
	if zone == "" {
		if zone, err = zonefile.Name(file, data, ""); err != nil {
			return nil, err
		}
	}
	return parseZone(file, data, zone, root, opts)
}

// parseZone is ReadZoneFile on data already read, of the zone origin.
// An empty root forbids $INCLUDE (data from a server).
func parseZone(file string, data []byte, origin, root string, opts Options) (*Zone, error) {
	if root == "" {
		if bytes.Contains(bytes.ToUpper(data), []byte("$INCLUDE")) {
			return nil, &report.InputError{File: file, Msg: "$INCLUDE is not allowed here"}
		}
	} else if err := zonefile.CheckIncludes(file, data, root); err != nil {
		return nil, err
	}
	if _, ok := dns.IsDomainName(origin); origin == "" || !ok {
		return nil, &report.InputError{File: file, Msg: fmt.Sprintf("invalid zone name %q", origin)}
	}
	// About one RRset a record: a map sized so seldom grows (and rehashes).
	z := newZoneSized(origin, file, zonefile.EstimateRecords(data)+1)
	z.zoneFile = true
	err := zonefile.ReadTo(file, data, origin, root, zonefile.Sink{
		RR:      func(rr dns.RR) { z.add(rr, opts, file, 0) },
		Opaque:  func(o zonefile.Opaque) { z.addOpaque(o, file) },
		Address: func(a zonefile.Address) { z.addValue(a.Name, a.Type, a.TTL, a.Value, file, 0) },
		Warn: func(f string, line int, msg string) {
			z.warnings = append(z.warnings, Problem{Rule: RuleNoTTL, File: f, Line: line,
				Msg: msg + ": the zone has no $TTL, and BIND gives every record without a TTL the SOA's minimum, which is also how long resolvers cache a name that does not exist; write $TTL at the top"})
		},
	})
	if err != nil {
		return nil, err
	}
	if z.Records() == 0 {
		return nil, &report.InputError{File: file, Msg: "no records for zone " + z.Origin}
	}
	z.text = data
	return z, nil
}

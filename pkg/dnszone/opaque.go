package dnszone

import (
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/plumbline/plumbline/pkg/zonefile"
)

// addOpaque adds a record kept as written.
func (z *Zone) addOpaque(o zonefile.Opaque, file string) {
	if o.File != "" {
		file = o.File // an $INCLUDEd file's
	}
	name := zonefile.Canonical(o.Name)
	if !inZone(name, z.Origin) {
		return
	}
	k := Key{Name: name, Type: zonefile.TypeKey(o.Type)}
	s := z.Sets[k]
	if s == nil {
		s = &RRset{Key: k, TTL: o.TTL, File: file, Line: o.Line, Opaque: true}
		z.Sets[k] = s
	}
	v := o.Value
	switch strings.ToUpper(o.Type) {
	case "WKS":
		v = canonicalWKS(v)
	case "SVCB", "HTTPS":
		if why := opaqueSVCBRefused(v); why != "" && z.zoneFile {
			z.refuse(o.Name, dns.StringToType[strings.ToUpper(o.Type)], o.Line, why)
		}
	}
	if i, found := slices.BinarySearch(s.Values, v); !found {
		s.Values = slices.Insert(s.Values, i, v)
	}
	if file == s.File && o.Line < s.Line { // the first record's TTL, as in addValue
		s.TTL, s.Line = o.TTL, o.Line
	}
}

// canonicalWKS is a WKS record's data as BIND stores it: the address,
// the protocol's number, the services' ports in order (a bitmap on the
// wire), so "10.0.0.1 tcp ftp smtp" equals "10.0.0.1 6 25 21". Names
// are looked up as BIND does (getprotobyname, getservbyname: the
// system's /etc/protocols and /etc/services); data with a name not found
// there stays as written, and compares as text.
func canonicalWKS(value string) string {
	f := strings.Fields(strings.NewReplacer("(", " ", ")", " ").Replace(value)) // written over lines
	if len(f) < 2 {
		return value
	}
	addr, err := netip.ParseAddr(f[0])
	if err != nil || !addr.Is4() {
		return value
	}
	proto, err := strconv.Atoi(f[1])
	var network string
	switch {
	case err == nil && proto >= 0 && proto <= 255:
	case strings.EqualFold(f[1], "tcp"):
		proto = 6
	case strings.EqualFold(f[1], "udp"):
		proto = 17
	default:
		return value
	}
	switch proto {
	case 6:
		network = "tcp"
	case 17:
		network = "udp"
	}
	ports := make([]int, 0, len(f)-2)
	for _, svc := range f[2:] {
		port, err := strconv.Atoi(svc)
		if err != nil {
			if network == "" {
				return value // BIND looks names up only for TCP and UDP
			}
			if port, err = net.LookupPort(network, strings.ToLower(svc)); err != nil {
				return value
			}
		}
		if port < 0 || port > 65535 {
			return value
		}
		ports = append(ports, port)
	}
	slices.Sort(ports)
	ports = slices.Compact(ports)
	out := []string{addr.String(), strconv.Itoa(proto)}
	for _, p := range ports {
		out = append(out, strconv.Itoa(p))
	}
	return strings.Join(out, " ")
}

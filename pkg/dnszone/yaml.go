package dnszone

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/miekg/dns"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/zonefile"
	"gopkg.in/yaml.v3"
)

// ReadYAML parses our YAML zone format (docs/dns-format.md):
//
//	zone: home.arpa.
//	ttl: 3600
//	records:
//	  "@":
//	    NS: [dns1, dns2]
//	  dns1:
//	    A: 10.0.20.11
//	  www:
//	    CNAME: {ttl: 300, value: dns1}
//
// Names and name-valued data are relative to the zone unless they end in a
// dot. Each value is parsed as the rdata of a zone file record, so every
// type miekg/dns knows is accepted and normalised like a zone file's.
func ReadYAML(file string, opts Options) (*Zone, error) {
	data, err := zonefile.ReadFile(".", file)
	if err != nil {
		return nil, err
	}
	bad := func(n *yaml.Node, format string, args ...any) error {
		line := 0
		if n != nil {
			line = n.Line
		}
		return &report.InputError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		return nil, &report.InputError{File: file, Line: yamlErrorLine(err), Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, bad(&doc, "want a mapping with zone, ttl and records")
	}
	top := doc.Content[0]
	var zoneName string
	var ttl uint32 = 3600
	var records *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "zone":
			zoneName = v.Value
		case "ttl":
			t, err := strconv.ParseUint(v.Value, 10, 32)
			if err != nil {
				return nil, bad(v, "ttl %q is not a number of seconds", v.Value)
			}
			ttl = uint32(t)
		case "records":
			records = v
		default:
			return nil, bad(k, "unknown key %q (want zone, ttl, records)", k.Value)
		}
	}
	if _, ok := dns.IsDomainName(zoneName); zoneName == "" || !ok {
		return nil, bad(top, "zone %q is not a domain name", zoneName)
	}
	if records == nil || records.Kind != yaml.MappingNode {
		return nil, bad(top, "records must be a mapping of names")
	}
	z := newZone(zoneName, file)
	origin := dns.Fqdn(zoneName)
	for i := 0; i+1 < len(records.Content); i += 2 {
		nameNode, types := records.Content[i], records.Content[i+1]
		owner := nameNode.Value
		if types.Kind != yaml.MappingNode {
			return nil, bad(types, "%s: want a mapping of record types", owner)
		}
		for j := 0; j+1 < len(types.Content); j += 2 {
			typeNode, spec := types.Content[j], types.Content[j+1]
			rtype := strings.ToUpper(typeNode.Value)
			if _, ok := dns.StringToType[rtype]; !ok {
				return nil, bad(typeNode, "%s: unknown record type %q", owner, typeNode.Value)
			}
			setTTL, values, err := recordSpec(spec, ttl)
			if err != nil {
				return nil, bad(spec, "%s %s: %v", owner, rtype, err)
			}
			for _, v := range values {
				line := fmt.Sprintf("%s %d IN %s %s", ownerName(owner), setTTL, rtype, v)
				rr, err := dns.NewRR("$ORIGIN " + origin + "\n" + line)
				if err != nil || rr == nil {
					msg := "empty record"
					if err != nil {
						msg = strings.TrimPrefix(err.Error(), "dns: ")
					}
					return nil, bad(spec, "%s %s %q: %s", owner, rtype, v, msg)
				}
				if !dns.IsSubDomain(z.Origin, zonefile.Canonical(rr.Header().Name)) {
					return nil, bad(nameNode, "%s is outside zone %s", rr.Header().Name, z.Origin)
				}
				z.add(rr, opts, file, nameNode.Line)
			}
		}
	}
	return z, nil
}

func ownerName(owner string) string {
	if owner == "" {
		return "@"
	}
	return owner
}

// recordSpec reads a value, a list of values, or {ttl, value|values}.
func recordSpec(n *yaml.Node, ttl uint32) (uint32, []string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return ttl, []string{n.Value}, nil
	case yaml.SequenceNode:
		var vs []string
		for _, e := range n.Content {
			if e.Kind != yaml.ScalarNode {
				return 0, nil, fmt.Errorf("values must be strings")
			}
			vs = append(vs, e.Value)
		}
		if len(vs) == 0 {
			return 0, nil, fmt.Errorf("no values")
		}
		return ttl, vs, nil
	case yaml.MappingNode:
		var vs []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			switch k.Value {
			case "ttl":
				t, err := strconv.ParseUint(v.Value, 10, 32)
				if err != nil {
					return 0, nil, fmt.Errorf("ttl %q is not a number of seconds", v.Value)
				}
				ttl = uint32(t)
			case "value", "values":
				_, more, err := recordSpec(v, ttl)
				if err != nil {
					return 0, nil, err
				}
				vs = append(vs, more...)
			default:
				return 0, nil, fmt.Errorf("unknown key %q (want ttl, value, values)", k.Value)
			}
		}
		if len(vs) == 0 {
			return 0, nil, fmt.Errorf("no value")
		}
		sort.Strings(vs)
		return ttl, vs, nil
	}
	return 0, nil, fmt.Errorf("want a value, a list, or {ttl, values}")
}

func yamlErrorLine(err error) int {
	var line int
	if i := strings.Index(err.Error(), "line "); i >= 0 {
		fmt.Sscanf(err.Error()[i+5:], "%d", &line)
	}
	return line
}

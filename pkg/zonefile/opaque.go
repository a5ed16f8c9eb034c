package zonefile

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// Record types BIND loads that miekg/dns does not parse (it reads their
// mnemonic as a bad TTL), by code point (IANA's registry). A zone holding
// one is still read: the record is kept opaque, its data as written.
var opaqueTypes = map[string]uint16{
	"WKS": 11, "NSAP": 22, "A6": 38, "SINK": 40, "DSYNC": 66, "HHIT": 67, "BRID": 68,
	"DOA": 259, "WALLET": 262,
}

// fragileTypes are types miekg knows but whose less common forms it
// refuses (a quoted X25 or GPOS, a short NID or L64, a quoted SVCB key):
// a line of one is tried on its own, and kept opaque when miekg refuses it.
var fragileTypes = map[string]bool{"X25": true, "GPOS": true, "NID": true, "L64": true, "SVCB": true, "HTTPS": true}

// Opaque is a record kept as written, of a type miekg/dns cannot parse:
// dns-zone-diff compares it as text with another written the same way, and
// never with a parsed one.
type Opaque struct {
	Name, Type string // the owner as written; the type mnemonic
	TTL        uint32
	Value      string // the data as written
	File       string // the file it is written in (an $INCLUDEd one, too)
	Line       int
}

// TypeKey is the RRset type name a record of type mnemonic gets, the same
// as a transfer's record of that code point gets.
func TypeKey(mnemonic string) string {
	up := strings.ToUpper(mnemonic)
	code, ok := opaqueTypes[up]
	if !ok {
		code = dns.StringToType[up]
	}
	if s, ok := dns.TypeToString[code]; ok && code != 0 {
		return s
	}
	if code != 0 {
		return fmt.Sprintf("TYPE%d", code)
	}
	return up
}

// opaqueLine reports whether a record line (owner already read) must be
// kept opaque, and its type, TTL (or 0, with hasTTL false) and data.
func opaqueLine(fields []string, origin string, defTTL uint32) (typ string, ttl uint32, hasTTL bool, value string, ok bool) {
	i := 0
	for ; i < len(fields); i++ {
		if v, isTTL := parseTTL(fields[i]); isTTL && !hasTTL {
			ttl, hasTTL = v, true
			continue
		}
		if _, isClass := dns.StringToClass[strings.ToUpper(fields[i])]; isClass {
			continue
		}
		break
	}
	if i >= len(fields) {
		return "", 0, false, "", false
	}
	typ = strings.ToUpper(fields[i])
	_, unknown := opaqueTypes[typ]
	if !unknown && !fragileTypes[typ] {
		return "", 0, false, "", false // the common case: no value to build
	}
	value = strings.Join(fields[i+1:], " ")
	if unknown {
		return typ, ttl, hasTTL, value, true
	}
	if fragileTypes[typ] {
		text := fmt.Sprintf("$ORIGIN %s\n$TTL %d\n@ %s %s", origin, defTTL, typ, value)
		if _, err := dns.NewRR(text); err != nil {
			return typ, ttl, hasTTL, value, true
		}
	}
	return "", 0, false, "", false
}

package zonefile

import (
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// fixRecord rewrites a one-line record's fields after its owner (TTL,
// class, type, data) where BIND reads a form miekg/dns refuses, into the
// form both read alike; ok is false where nothing changes:
//   - an algorithm mnemonic (DNSKEY 257 3 RSASHA256, DS 1 ECDSAP256SHA256 2,
//     RRSIG A RSASHA256 …) becomes its number;
//   - LOC without minutes or seconds gets 0 for them (BIND's default);
//   - an NXT's types written by number are written TYPEnnn;
//   - TXT or SPF data starting \# not followed by a length is the string
//     "#", not generic rdata (BIND reads "#" "text").
func fixRecord(rest []string) ([]string, bool) {
	i := headerFields(rest)
	if i >= len(rest)-1 {
		return nil, false
	}
	alg := 0 // the data field that names an algorithm
	switch strings.ToUpper(rest[i]) {
	case "DNSKEY", "CDNSKEY", "KEY":
		alg = i + 3
	case "DS", "CDS", "RRSIG", "SIG":
		alg = i + 2
	case "LOC":
		return fixLOC(rest, i+1)
	case "NXT":
		// BIND reads a type in NXT's bitmap by number (and writes an
		// unknown one so); miekg/dns wants TYPEnnn.
		var out []string
		for j := i + 2; j < len(rest); j++ {
			if digits(rest[j]) {
				if out == nil {
					out = append([]string(nil), rest...)
				}
				out[j] = "TYPE" + rest[j]
			}
		}
		return out, out != nil
	case "TXT", "SPF":
		if rest[i+1] == `\#` && (i+2 >= len(rest) || !digits(rest[i+2])) {
			out := append([]string(nil), rest...)
			out[i+1] = `"#"`
			return out, true
		}
		return nil, false
	default:
		return nil, false
	}
	if alg >= len(rest) || digits(rest[alg]) {
		return nil, false
	}
	n, ok := dns.StringToAlgorithm[strings.ToUpper(rest[alg])]
	if !ok {
		return nil, false
	}
	out := append([]string(nil), rest...)
	out[alg] = strconv.Itoa(int(n))
	return out, true
}

// fixLOC fills in the minutes and seconds a LOC (RFC 1876) leaves out,
// from data on: d [m [s]] N|S d [m [s]] E|W ….
func fixLOC(rest []string, data int) ([]string, bool) {
	out := append([]string(nil), rest[:data]...)
	changed := false
	j := data
	for _, hemis := range []string{"NS", "EW"} {
		if j >= len(rest) {
			return nil, false
		}
		out = append(out, rest[j]) // degrees
		j++
		n := 0
		for j < len(rest) && n < 2 && !isHemisphere(rest[j], hemis) {
			out = append(out, rest[j])
			j++
			n++
		}
		if j >= len(rest) || !isHemisphere(rest[j], hemis) {
			return nil, false
		}
		for ; n < 2; n++ {
			out, changed = append(out, "0"), true
		}
		out = append(out, rest[j])
		j++
	}
	if !changed {
		return nil, false
	}
	return append(out, rest[j:]...), true
}

func isHemisphere(tok, hemis string) bool {
	return len(tok) == 1 && strings.ContainsAny(strings.ToUpper(tok), hemis)
}

// stripComment is line without its comment: from the first ';' outside a
// quoted string.
func stripComment(line string) string {
	quoted := false
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '"':
			quoted = !quoted
		case ';':
			if !quoted {
				return line[:i]
			}
		}
	}
	return line
}

// genericExtra is how many bytes of a one-line record's generic rdata
// (TYPE \# LENGTH HEX) a known type does not read, or 0: miekg/dns drops
// them, BIND refuses the zone ("extra input data").
func genericExtra(rest []string) int {
	i := headerFields(rest)
	if i+2 >= len(rest) || rest[i+1] != `\#` {
		return 0
	}
	typ, ok := dns.StringToType[strings.ToUpper(rest[i])]
	if !ok {
		n, err := strconv.ParseUint(strings.TrimPrefix(strings.ToUpper(rest[i]), "TYPE"), 10, 16)
		if err != nil {
			return 0
		}
		typ = uint16(n)
	}
	if _, known := dns.TypeToRR[typ]; !known {
		return 0 // an unknown type holds any bytes
	}
	length, err := strconv.Atoi(rest[i+2])
	if err != nil || length <= 0 || length > 65535 {
		return 0
	}
	rr, err := dns.NewRR(". 0 IN " + strings.Join(rest[i:], " "))
	if err != nil || rr == nil {
		return 0 // the parser says what is wrong
	}
	msg := make([]byte, dns.Len(rr)+64)
	off, err := dns.PackRR(rr, msg, 0, nil, false)
	if err != nil {
		return 0
	}
	return length - (off - 11) // the root owner, type, class, TTL and length: 11 bytes
}

// headerFields is how many of a record's fields after the owner are its
// TTL and class (at most one each, in either order), before the type.
func headerFields(rest []string) int {
	i := 0
	for ; i < len(rest) && i < 2; i++ {
		if _, isTTL := parseTTL(rest[i]); isTTL {
			continue
		}
		if _, isClass := dns.StringToClass[strings.ToUpper(rest[i])]; isClass {
			continue
		}
		break
	}
	return i
}

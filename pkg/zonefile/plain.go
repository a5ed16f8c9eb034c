package zonefile

import (
	"bytes"
	"net"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// Address is a plain record: an A or AAAA record whose line is owner, an
// optional TTL in seconds, an optional class IN, the type and one
// address, and nothing that needs the real parser (quotes, escapes,
// parentheses); or a TXT record of plain quoted strings (plainTXT), or an
// NS, CNAME, PTR or MX of a plain target (plainTarget).
// Most records of a large zone are; ReadTo reads them without miekg/dns,
// as miekg/dns reads them (TestPlainAsParsed).
type Address struct {
	Name     string // as written, made absolute (not canonical)
	Type     uint16 // A, AAAA, TXT, NS, CNAME, PTR or MX
	TTL      uint32
	Value    string // as dns-zone-diff compares it: net.IP's form; TXT's strings joined, quoted; a target absolute, lower case
	explicit bool   // the line gave the TTL
}

// plainTXT reads a plain TXT record: the fields after the owner (rest)
// of a line, with no comment, escape or parenthesis, are an optional TTL
// in seconds and class IN, TXT, then quoted strings of printable ASCII of
// at most 255 bytes each (a ';' inside one is no comment), apart by
// blanks. Its Value is the strings
// joined in one pair of quotes, as dns-zone-diff compares TXT data.
func plainTXT(rest []string, line string) (Address, bool) {
	var a Address
	if len(rest) < 2 || strings.ContainsAny(line, "\\()") {
		return a, false
	}
	i, ttl := typeField(rest)
	if i >= len(rest)-1 || !strings.EqualFold(rest[i], "TXT") || rest[i+1][0] != '"' {
		return a, false
	}
	if !a.setTTL(ttl) {
		return a, false
	}
	// The data: from the first quote on (no quote comes before it; a
	// comment before it would have left rest without the type).
	q := strings.IndexByte(line, '"')
	if q < 0 || strings.IndexByte(line[:q], ';') >= 0 {
		return a, false
	}
	data := line[q:]
	var b strings.Builder
	b.Grow(len(data))
	b.WriteByte('"')
	for data != "" {
		switch data[0] {
		case ' ', '\t':
			data = data[1:]
			continue
		case '"':
		default:
			return a, false // a bare word: left to the parser
		}
		end := strings.IndexByte(data[1:], '"')
		if end < 0 || end > 255 {
			return a, false
		}
		for j := 1; j <= end; j++ {
			if c := data[j]; c < 0x20 || c > 0x7e {
				return a, false
			}
		}
		b.WriteString(data[1 : end+1])
		data = data[end+2:]
		if data != "" && data[0] != ' ' && data[0] != '\t' {
			return a, false // "a"b: left to the parser
		}
	}
	b.WriteByte('"')
	a.Type, a.Value = dns.TypeTXT, b.String()
	return a, true
}

// plainAddress reads the fields after the owner, of a line whose text
// without its comment is code.
func plainAddress(rest []string, code string) (Address, bool) {
	var a Address
	if len(rest) < 2 || len(rest) > 4 || strings.ContainsAny(code, "\"\\()") {
		return a, false
	}
	i, ttl := typeField(rest)
	if i != len(rest)-2 {
		return a, false
	}
	if !a.setTTL(ttl) {
		return a, false
	}
	// As miekg/dns parses the address: net.ParseIP, with a colon for
	// AAAA and none for A.
	token := rest[i+1]
	colon := strings.IndexByte(token, ':') >= 0
	switch {
	case strings.EqualFold(rest[i], "A") && !colon:
		a.Type = dns.TypeA
	case strings.EqualFold(rest[i], "AAAA") && colon:
		a.Type = dns.TypeAAAA
	default:
		return a, false
	}
	ip := net.ParseIP(token)
	if ip == nil {
		return a, false
	}
	a.Value = ip.String()
	return a, true
}

// plainTarget reads the fields after the owner (of a line whose text
// without its comment is code) of an NS, CNAME, PTR or MX record whose
// target is written plainly: letters, digits, hyphens, underscores and
// dots, made absolute in origin as miekg/dns makes it. Its Value is the
// data as dns-zone-diff compares it: the target in lower case, after
// MX's preference. An NS at a wildcard, which BIND refuses, is left to
// the parser (and the refusal).
func plainTarget(rest []string, code, owner, origin string) (Address, bool) {
	var a Address
	if len(rest) < 2 || len(rest) > 5 || strings.ContainsAny(code, "\"\\()") {
		return a, false
	}
	i, ttl := typeField(rest)
	pref := ""
	switch typ := strings.ToUpper(rest[i%len(rest)]); {
	case i == len(rest)-2 && typ == "NS" && owner[0] != '*':
		a.Type = dns.TypeNS
	case i == len(rest)-2 && typ == "CNAME":
		a.Type = dns.TypeCNAME
	case i == len(rest)-2 && typ == "PTR":
		a.Type = dns.TypePTR
	case i == len(rest)-3 && typ == "MX":
		p, err := strconv.ParseUint(rest[i+1], 10, 16)
		if err != nil || !digits(rest[i+1]) {
			return a, false
		}
		a.Type, pref = dns.TypeMX, strconv.FormatUint(p, 10)+" "
	default:
		return a, false
	}
	if !a.setTTL(ttl) {
		return a, false
	}
	target := rest[len(rest)-1]
	for j := 0; j < len(target); j++ {
		if c := target[j]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return a, false
		}
	}
	if target[0] == '.' && target != "." || strings.Contains(target, "..") {
		return a, false
	}
	if !strings.HasSuffix(target, ".") {
		if origin == "." {
			target += "."
		} else {
			target += "." + origin
		}
	}
	if _, ok := dns.IsDomainName(target); !ok {
		return a, false
	}
	a.Value = pref + strings.ToLower(target)
	return a, true
}

// setTTL takes a line's TTL field (empty: none given), as miekg/dns
// reads one in seconds; false when it cannot be read so.
func (a *Address) setTTL(ttl string) bool {
	if ttl == "" {
		return true
	}
	t, err := strconv.ParseUint(ttl, 10, 31)
	if err != nil {
		return false
	}
	a.TTL, a.explicit = uint32(t), true
	return true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// plainOwner reports whether an owner as written (token), made absolute
// (owner), is a name the parser takes as it is: letters, digits, hyphens,
// underscores and a leading wildcard, in labels of a valid name.
func plainOwner(token, owner string) bool {
	if token == "@" {
		return true
	}
	for i := 0; i < len(token); i++ {
		c := token[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '*' && i == 0) {
			return false
		}
	}
	if strings.Contains(token, "..") || strings.HasPrefix(token, ".") {
		return false
	}
	_, ok := dns.IsDomainName(owner)
	return ok
}

// unplain reports whether data has what makes the preprocessing's idea
// of the owner, origin or default TTL differ from the parser's, so that
// no record may be taken out of it (broken or odd zones, in practice; they
// are parsed whole):
//   - a line starting in its first column that holds a single token (or
//     starts with a parenthesis, quote or escape): miekg/dns reads a line
//     "MX" as a record of the previous owner;
//   - a directive with a quote, escape or parenthesis, which the parser
//     reads as one token where the preprocessing sees several, and a
//     line starting with "$" that is no directive (an owner, to the parser);
//   - white space other than spaces, tabs and newlines (\f, \v, CR),
//     which the parser takes as part of a token;
//   - a quoted string left open at the end of a line, or a line ending in
//     a backslash, which the parser continues on the next (whose fields
//     are then its text).
func unplain(data []byte) bool {
	if bytes.ContainsAny(data, "\f\v\r") {
		return true
	}
	for len(data) > 0 {
		line := data
		if k := bytes.IndexByte(data, '\n'); k >= 0 {
			line, data = data[:k], data[k+1:]
		} else {
			data = nil
		}
		if len(line) == 0 {
			continue
		}
		if quoteOpen(line) || line[len(line)-1] == '\\' {
			return true
		}
		switch line[0] {
		case ' ', '\t', ';':
			continue
		case '$':
			// A directive the parser knows (else "$" is an owner to it,
			// and a directive to the preprocessing).
			word := line
			if k := bytes.IndexAny(line, " \t;"); k >= 0 {
				word = line[:k]
			}
			switch strings.ToUpper(string(word)) {
			case "$TTL", "$ORIGIN", "$INCLUDE", "$GENERATE":
			default:
				return true
			}
			if bytes.ContainsAny(line, "\"\\()") {
				return true
			}
			continue
		case '(', ')', '"', '\\':
			return true
		}
		if k := bytes.IndexByte(line, ';'); k >= 0 {
			line = line[:k]
		}
		// A second field: white space after the first, then more.
		k := bytes.IndexAny(line, " \t")
		if k < 0 || len(bytes.Trim(line[k:], " \t")) == 0 {
			return true
		}
	}
	return false
}

// arity is how many fields the record types whose lines end where their
// fields do take; TXT and SPF read to the end of the line whatever their
// count.
var arity = map[string]int{"A": 1, "AAAA": 1, "NS": 1, "CNAME": 1, "PTR": 1, "DNAME": 1, "MX": 2, "SRV": 4, "SOA": 7}

// lineEnds reports whether a one-line record (the fields after its owner,
// of a line whose text without its comment is code) surely ends with its
// line: a type of known arity with exactly that many fields and no quote
// or escape to make the parser count otherwise, or a TXT/SPF with some.
func lineEnds(rest []string, code string) bool {
	i, _ := typeField(rest)
	if i >= len(rest) {
		return false
	}
	n := len(rest) - i - 1
	switch t := strings.ToUpper(rest[i]); t {
	case "TXT", "SPF":
		return n > 0
	default:
		want, ok := arity[t]
		return ok && n == want && !strings.ContainsAny(code, "\"\\")
	}
}

// typeField finds the type among a record line's fields after its owner:
// past at most one TTL in seconds (returned) and one class IN, in either
// order. Other TTL forms and classes leave it at that field.
func typeField(rest []string) (i int, ttl string) {
	class := false
	for ; i < len(rest); i++ {
		switch {
		case ttl == "" && digits(rest[i]):
			ttl = rest[i]
		case !class && strings.EqualFold(rest[i], "IN"):
			class = true
		default:
			return i, ttl
		}
	}
	return i, ttl
}

// quoteOpen reports whether line ends inside a quoted string (quotes in a
// comment do not count; a backslash escapes the next byte).
func quoteOpen(line []byte) bool {
	in := false
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '"':
			in = !in
		case ';':
			if !in {
				return false
			}
		}
	}
	return in
}

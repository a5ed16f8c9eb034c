package dnszone

import (
	"regexp/syntax"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// refusedData is why BIND's parser refuses rr's data though miekg/dns
// reads it, in BIND's words, or "": SVCB/HTTPS parameters (an empty alpn
// item, mandatory naming a key the record lacks) and a NAPTR regexp that
// is not delimiter, regex, delimiter, replacement, delimiter, flags.
func refusedData(rr dns.RR) string {
	switch r := rr.(type) {
	case *dns.SVCB:
		return svcbRefused(r.Value)
	case *dns.HTTPS:
		return svcbRefused(r.Value)
	case *dns.NAPTR:
		if !naptrRegexp(unescape(r.Regexp)) {
			return "syntax error (the NAPTR regexp is not !regex!replacement!flags)"
		}
	}
	return ""
}

func svcbRefused(params []dns.SVCBKeyValue) string {
	have := map[dns.SVCBKey]bool{}
	for _, p := range params {
		have[p.Key()] = true
	}
	for _, p := range params {
		switch v := p.(type) {
		case *dns.SVCBMandatory:
			for _, k := range v.Code {
				if !have[k] || k == dns.SVCB_MANDATORY {
					return "inconsistent resource record (mandatory names " + k.String() + ", which the record does not have)"
				}
			}
		case *dns.SVCBAlpn:
			for _, a := range v.Alpn {
				if a == "" {
					return "syntax error (an empty alpn item)"
				}
			}
		}
	}
	return ""
}

// svcbKeys are the SVCB parameter names BIND 9.18 knows; others are
// written keyNNNNN.
var svcbKeys = map[string]bool{
	"mandatory": true, "alpn": true, "no-default-alpn": true, "port": true, "ipv4hint": true,
	"ech": true, "ipv6hint": true, "dohpath": true, "ohttp": true,
}

// opaqueSVCBRefused is why BIND refuses an SVCB or HTTPS record kept as
// written (miekg/dns refused it), or "": a parameter name it does not
// know, an empty alpn item.
func opaqueSVCBRefused(value string) string {
	f := strings.Fields(value)
	if len(f) < 2 || f[0] == `\#` { // generic rdata: BIND checks its wire form, not names
		return ""
	}
	for _, p := range f[2:] {
		key, val, _ := strings.Cut(strings.Trim(p, "()"), "=")
		key = strings.ToLower(key)
		if key == "" {
			continue
		}
		if n, ok := strings.CutPrefix(key, "key"); ok {
			if _, err := strconv.ParseUint(n, 10, 16); err == nil {
				continue
			}
		}
		if !svcbKeys[key] {
			return "syntax error (no SVCB parameter " + key + ")"
		}
		if key == "alpn" {
			for _, a := range strings.Split(strings.Trim(val, `"`), ",") {
				if a == "" {
					return "syntax error (an empty alpn item)"
				}
			}
		}
	}
	return ""
}

// naptrRegexp checks a NAPTR regexp field as BIND does (its
// txt_valid_regex): empty, or a delimiter that is no digit, backslash or
// 'i', the regex, the delimiter, the replacement, the delimiter, flags of
// 'i' only; the regex a valid POSIX extended one with at least as many
// groups as the replacement's highest back-reference, which is not \0.
func naptrRegexp(s string) bool {
	if s == "" {
		return true
	}
	delim := s[0]
	if delim >= '0' && delim <= '9' || delim == '\\' || delim == 'i' || delim == 0 {
		return false
	}
	var re strings.Builder
	replace, flags, nsub := false, false, 0
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 0:
			return false
		case c == delim && !replace:
			replace = true
			continue
		case c == delim && !flags:
			flags = true
			continue
		case c == delim:
			return false
		case flags:
			if c != 'i' {
				return false
			}
			continue
		}
		if !replace {
			re.WriteByte(c)
		}
		if c == '\\' {
			if i++; i >= len(s) || s[i] == 0 {
				return false
			}
			if replace && s[i] == '0' {
				return false
			}
			if replace && s[i] >= '1' && s[i] <= '9' {
				nsub = max(nsub, int(s[i]-'0'))
			}
			if !replace {
				re.WriteByte(s[i])
			}
		}
	}
	if !flags {
		return false
	}
	parsed, err := syntax.Parse(re.String(), syntax.POSIX)
	return err == nil && nsub <= parsed.MaxCap()
}

// unescape is a character string as miekg/dns holds it (\\, \", \DDD
// escaped) as its bytes.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			n, _ := strconv.Atoi(s[i+1 : i+4])
			b.WriteByte(byte(n))
			i += 3
			continue
		}
		i++
		b.WriteByte(s[i])
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

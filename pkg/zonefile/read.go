package zonefile

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/miekg/dns"
	"github.com/plumbline/plumbline/pkg/report"
)

// Name decides which zone a zone file holds, as docs/dns-format.md
// says: given (--zone), else the file's name (home.arpa.zone,
// home.arpa.db, db.home.arpa, home.arpa), else the owner of its SOA
// record. Never from an $ORIGIN in the middle of the file: BIND takes the
// zone's name from its configuration, and $ORIGIN only changes how the
// names after it are read.
func Name(file string, data []byte, given string) (string, error) {
	if given != "" {
		return Canonical(given), nil
	}
	if name := zoneFromFileName(file); strings.Contains(strings.TrimSuffix(name, "."), ".") {
		if _, ok := dns.IsDomainName(name); ok {
			return Canonical(name), nil
		}
	}
	zp := dns.NewZoneParser(bytes.NewReader(data), ".", file)
	zp.SetDefaultTTL(0)
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		if soa, isSOA := rr.(*dns.SOA); isSOA && soa.Hdr.Name != "." {
			return Canonical(soa.Hdr.Name), nil
		}
	}
	return "", &report.InputError{File: file, Msg: "cannot tell which zone this is: name the file after the zone (home.arpa.zone), write the SOA owner out, or pass --zone"}
}

// zoneFromFileName: home.arpa.zone, home.arpa.db, db.home.arpa and
// home.arpa name home.arpa.
func zoneFromFileName(file string) string {
	base := filepath.Base(file)
	for _, ext := range []string{".zone", ".db"} {
		base = strings.TrimSuffix(base, ext)
	}
	return strings.TrimPrefix(base, "db.")
}

// Read reads data, a zone file of zone origin, as BIND reads it
// (preprocess, then miekg/dns): rr gets each parsed record and opaque each
// kept as written, within MaxRecords, $GENERATE expanded and $INCLUDE
// followed inside root ("" refuses $INCLUDE). Both dns-zone-diff and
// policy-check's zone parser read through it.
func Read(file string, data []byte, origin, root string, rr func(dns.RR), opaque func(Opaque)) error {
	return ReadTo(file, data, origin, root, Sink{RR: rr, Opaque: opaque})
}

func tooMany(file string) error {
	return &report.InputError{File: file, Msg: fmt.Sprintf("more than %d records (with $GENERATE and $INCLUDE expanded): over the budget of one zone", MaxRecords)}
}

// Sink receives what ReadTo reads.
type Sink struct {
	RR     func(dns.RR)
	Opaque func(Opaque)
	// Address, when set, receives the plain address records (plain.go)
	// in place of RR, read without miekg/dns: in a large zone they are
	// most records, and the parser spends most of its time and garbage
	// on them. Records then do not arrive in file order.
	Address func(a Address)
	// Warn, when set, receives what named-checkzone warns of (in its
	// words) and loads anyway, with the file and line.
	Warn func(file string, line int, msg string)
}

// ReadTo is Read, giving the records to sink.
func ReadTo(file string, data []byte, origin, root string, sink Sink) error {
	r := &reader{root: root, sink: sink}
	return r.read(file, data, origin)
}

// maxIncludeDepth bounds $INCLUDE nesting (CheckIncludes refuses loops
// first; this holds without it).
const maxIncludeDepth = 16

// reader is one zone being read: what all its files share. BIND keeps
// one TTL state for the whole load (its load context): a $TTL in an
// $INCLUDEd file holds in the including file after it, and the included
// file starts with the includer's default. Origin and owner are each
// file's own, and revert after an $INCLUDE (RFC 1035 5.1).
type reader struct {
	root  string // "" refuses $INCLUDE
	sink  Sink
	count int // records so far, in all files: one budget
	depth int

	def, last         uint32 // the default TTL; RFC 1035's last TTL
	haveDef, haveLast bool
}

// read reads one file of the zone: its included files as their
// $INCLUDE is met, through read again.
func (r *reader) read(file string, data []byte, origin string) error {
	text, shift, kept, err := r.preprocess(file, data, origin)
	if err != nil {
		return err
	}
	zp := dns.NewZoneParser(text, dns.Fqdn(origin), file)
	// preprocess followed every $INCLUDE it could place; one it could
	// not (inside a record) is refused here.
	zp.SetIncludeAllowed(false)
	for rec, ok := zp.Next(); ok; rec, ok = zp.Next() {
		if r.count++; r.count > MaxRecords {
			return tooMany(file)
		}
		r.sink.RR(rec)
	}
	if err := zp.Err(); err != nil {
		return zoneError(file, err, shift)
	}
	for _, o := range kept {
		r.sink.Opaque(o)
	}
	return nil
}

// include reads the file an $INCLUDE line names (fields f, of file, at
// line n), with origin the includer's current one, sharing the TTL state.
func (r *reader) include(file string, n int, f []string, origin string) error {
	name := strings.Trim(f[1], `"`)
	incOrigin := origin
	if len(f) >= 3 {
		incOrigin = absolute(f[2], origin)
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(file), path)
	}
	if r.depth >= maxIncludeDepth {
		return &report.InputError{File: file, Line: n, Msg: fmt.Sprintf("$INCLUDE %s: more than %d files deep", name, maxIncludeDepth)}
	}
	data, err := ReadFile(r.root, path)
	if err != nil {
		return &report.InputError{File: file, Line: n, Msg: fmt.Sprintf("$INCLUDE %s: %v", name, err)}
	}
	r.depth++
	defer func() { r.depth-- }()
	return r.read(path, data, incOrigin)
}

// ttlSentinel marks a record the parser gave no TTL of its own: no zone
// uses a TTL this large (BIND refuses TTLs over 2^31-1).
const ttlSentinel = 1<<31 + 1009

// preprocess rewrites data where miekg/dns reads a zone file otherwise than
// BIND does, keeping every line where it is (but for one added at the top,
// counted in shift):
//   - no $TTL before the first record and an SOA without a TTL: BIND uses
//     the SOA's minimum as the default TTL of every record without one;
//   - $GENERATE without a TTL: BIND gives the records the default TTL, not
//     3600;
//   - $INCLUDE FILE [ORIGIN] (with root set): the file is read then and
//     there (reader.include), and the line becomes the $TTL it leaves;
//   - a file included where a default TTL holds starts with it;
//   - a record of a type miekg/dns cannot parse (WKS, NSAP, A6, …; see
//     opaque.go) is taken out of the text, its line left blank, and
//     returned in opaque to be kept as written.
//   - forms BIND reads and miekg/dns refuses, on one line (fixRecord):
//     an algorithm mnemonic (DNSKEY 257 3 RSASHA256), LOC without minutes
//     or seconds, TXT \# that is no generic rdata;
//   - with the sink's Address set, a plain address record (plain.go) is
//     given to it and its line left blank.
func (r *reader) preprocess(file string, data []byte, zone string) (out io.Reader, shift int, opaque []Opaque, err error) {
	address := r.sink.Address
	ttl, haveTTL := r.def, r.haveDef
	// Plain records are read here only while the parser's default TTL is
	// a $TTL directive's (not RFC 1035's last TTL, which the lines taken
	// out would change) and no $INCLUDE or $GENERATE has made the owner
	// the parser inherits one this loop does not know.
	fast, dirTTL := address != nil && !unplain(data), false
	// ended: the record line before surely ended with its line. miekg/dns
	// reads a record with too few fields (an SOA "0 0 0 0 0") on into the
	// next line's tokens, so a line after one that may not have ended must
	// stay for it, and an owner named on such a line may not be the owner
	// the parser has (ownerSure) when later lines inherit it.
	ended, ownerSure := true, false
	switch {
	case (r.haveDef || r.haveLast) && !ttlBeforeRecords(data):
		// included where a TTL holds: the file goes on from it
		def := r.last
		if r.haveDef {
			def = r.def
		}
		data = append([]byte(fmt.Sprintf("$TTL %d\n", def)), data...)
		ttl, haveTTL, shift = def, true, 1
	case !ttlBeforeRecords(data):
		if n := untimed(data); n > 0 {
			return nil, 0, nil, &report.InputError{File: file, Line: n, Msg: "no TTL specified; zone rejected: this record has no TTL, and no $TTL, SOA or record with a TTL comes before it (BIND refuses the zone)"}
		}
		// The SOA says what BIND does: without a TTL of its own, its
		// minimum is the default; with one, RFC 1035's last-TTL rule.
		zp := dns.NewZoneParser(bytes.NewReader(data), dns.Fqdn(zone), file)
		zp.SetDefaultTTL(ttlSentinel)
		for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
			if soa, isSOA := rr.(*dns.SOA); isSOA {
				if soa.Hdr.Ttl == ttlSentinel {
					if r.sink.Warn != nil {
						r.sink.Warn(file, soaLine(data), fmt.Sprintf("no TTL specified; using SOA MINTTL instead (%d)", soa.Minttl))
					}
					ttl, haveTTL = soa.Minttl, true
					data = append([]byte(fmt.Sprintf("$TTL %d\n", ttl)), data...)
					shift = 1
				} else {
					ttl, haveTTL = soa.Hdr.Ttl, true
				}
				break
			}
		}
	}
	origin := dns.Fqdn(zone)
	owner, lastTTL, depth := origin, ttl, 0
	hidden := false // the last record line naming owner was taken out
	// Most zones need no rewrite: the text is copied only from the first
	// line that changes (always, for CRLF or a missing final newline,
	// which the line scanner normalises).
	// Lines the parser reads as written stay in data; only the lines
	// rewritten are copied (all of them, for CRLF or a missing final
	// newline, which the line scanner normalises).
	txt := &text{data: data}
	copyAll := bytes.IndexByte(data, '\r') >= 0 || len(data) > 0 && data[len(data)-1] != '\n'
	start := 0 // where the current line starts in data
	// Lines are cut as bufio.ScanLines cuts them, from strings made a
	// chunk of lines at a time: a string per line was most of the garbage
	// of a large zone, and one of the whole text would be as large as the
	// file for as long as it is read.
	var chunks chunker
	var buf []string // the fields of each line, reused: a zone has 100,000s
	record := ""     // the line the current record starts on
	open := -1       // the opaque record whose parentheses are open
	for n := 1; ; n++ {
		line, ok := chunks.next(data)
		if !ok {
			break
		}
		if len(line) > maxLine {
			return nil, 0, nil, &report.InputError{File: file, Msg: fmt.Sprintf("a line longer than %d bytes: %v", maxLine, bufio.ErrTooLong)}
		}
		line = strings.TrimSuffix(line, "\r")
		orig := line
		code := directive(line)
		buf = appendFields(buf[:0], code)
		f := buf
		startDepth := depth
		depth = max(0, depth+parens(code))
		if len(f) > 0 && line[0] != '$' && startDepth == 0 {
			record = line
		}
		// A character string over 255 bytes has no wire form, and BIND
		// refuses the zone; miekg/dns splits it. Only a long line can
		// hold one, so only a long line's record is looked at.
		if len(line) > 257 && record != "" {
			data := line // a line continuing the record is all data
			if line == record {
				data = line[rdataStart(line):]
			}
			if stringType(record) && longString(data) {
				return nil, 0, nil, &report.InputError{File: file, Line: n - shift, Msg: "a character string longer than 255 bytes: BIND refuses the zone (split it into strings of at most 255, \"...\" \"...\")"}
			}
		}
		if len(f) > 0 && line[0] != '$' && startDepth == 0 {
			rest := f
			own := line[0] != ' ' && line[0] != '\t'
			prevEnded := ended
			if own {
				// The parser reads the same owner only if it is written
				// plainly (no escape that joins two fields into one).
				ownerSure = prevEnded && plainOwner(f[0], absolute(f[0], origin))
				owner, rest, hidden = absolute(f[0], origin), f[1:], false
				if owner == f[0] {
					owner = strings.Clone(owner) // not a whole chunk kept for a name
				}
			} else if hidden {
				// The record above, taken out, named the owner this line
				// inherits: name it here, or the parser takes the one before.
				line = owner + line
			}
			def := lastTTL
			if haveTTL {
				def = ttl
			}
			var a Address
			isPlain := false
			if fast && dirTTL && depth == 0 && prevEnded && ownerSure {
				a, isPlain = plainAddress(rest, code)
				if !isPlain {
					a, isPlain = plainTarget(rest, code, owner, origin)
				}
				if !isPlain && len(orig) < 4096 {
					a, isPlain = plainTXT(rest, orig)
				}
			}
			ended = isPlain || depth == 0 && lineEnds(rest, code)
			if isPlain {
				if !a.explicit {
					a.TTL = ttl
				}
				if r.count++; r.count > MaxRecords {
					return nil, 0, nil, tooMany(file)
				}
				a.Name = owner
				address(a)
				line, hidden = "", true
			} else if typ, t, explicit, value, ok := opaqueLine(rest, origin, def); ok {
				if !explicit {
					t = def
				}
				if r.count++; r.count > MaxRecords {
					return nil, 0, nil, tooMany(file)
				}
				opaque = append(opaque, Opaque{Name: owner, Type: typ, TTL: t, Value: value, File: file, Line: n - shift})
				line, hidden = "", true
				if depth > 0 {
					open = len(opaque) - 1 // its data goes on in parentheses
				}
			} else if len(rest) > 0 {
				if v, isTTL := parseTTL(rest[0]); isTTL {
					lastTTL, r.haveLast = v, true
				}
				if startDepth == 0 && depth == 0 {
					if extra := genericExtra(rest); extra > 0 {
						return nil, 0, nil, &report.InputError{File: file, Line: n - shift, Msg: fmt.Sprintf("extra input data: the generic rdata (\\# LENGTH HEX) holds %d bytes more than the type reads (BIND refuses the zone)", extra)}
					}
					if fixed, ok := fixRecord(rest); ok {
						prefix := " "
						if own {
							prefix = f[0] + " "
						} else if hidden {
							prefix = owner + " "
						}
						line = prefix + strings.Join(fixed, " ")
					}
				}
			}
		}
		if open >= 0 && startDepth > 0 {
			// a line of a record kept as written: its data, taken out too
			opaque[open].Value += " " + strings.Join(f, " ")
			line = ""
			if depth == 0 {
				open = -1
			}
		}
		if (startDepth > 0 || depth > 0) && strings.IndexByte(line, ';') >= 0 {
			// A comment inside a record's parentheses: miekg/dns loses
			// the rest of an NSEC3 after one (BIND reads on); it is no data.
			line = stripComment(line)
		}
		if len(f) >= 2 && line != "" && line[0] == '$' {
			if !ended {
				// The record above may read this directive as its
				// data, and the parser not change its origin or TTL.
				fast = false
			}
			switch strings.ToUpper(f[0]) {
			case "$TTL":
				if v, ok := parseTTL(f[1]); ok {
					ttl, haveTTL, dirTTL = v, true, true
				}
			case "$ORIGIN":
				origin = absolute(f[1], origin)
			case "$INCLUDE":
				fast = false
				if r.root != "" && startDepth == 0 && depth == 0 {
					r.def, r.haveDef, r.last, r.haveLast = ttl, haveTTL, lastTTL, r.haveLast || haveTTL
					if err := r.include(file, n-shift, f, origin); err != nil {
						return nil, 0, nil, err
					}
					ttl, haveTTL, lastTTL = r.def, r.haveDef, r.last
					line = "" // read; the TTL it leaves holds here on
					if haveTTL {
						line = fmt.Sprintf("$TTL %d", ttl)
					}
				}
			case "$GENERATE":
				fast = false
				if len(f) >= 5 && haveTTL && !generateHasTTL(f[3:]) {
					f = append(f[:3], append([]string{strconv.FormatUint(uint64(ttl), 10)}, f[3:]...)...)
					line = strings.Join(f, " ")
				}
			}
		}
		if copyAll || line != orig {
			txt.write(line)
		} else {
			txt.keep(start, start+len(orig)+1)
		}
		start += len(orig) + 1
	}
	r.def, r.haveDef, r.last = ttl, haveTTL, lastTTL
	return txt.reader(), shift, opaque, nil
}

// chunker hands out the lines of data as strings, converting a chunk of
// lines (chunkSize bytes or one longer line) at a time.
type chunker struct {
	size int    // of a chunk; 0 is chunkSize
	off  int    // where the next chunk starts in data
	text string // what is left of the current chunk
}

const chunkSize = 64 << 10

// next returns the next line, without its newline (nor a CR before it),
// or false at the end. A line over maxLine is returned whole and refused
// by the caller.
func (c *chunker) next(data []byte) (string, bool) {
	if c.text == "" {
		if c.off >= len(data) {
			return "", false
		}
		size := c.size
		if size == 0 {
			size = chunkSize
		}
		end := min(c.off+size, len(data))
		if k := bytes.LastIndexByte(data[c.off:end], '\n'); k >= 0 && end < len(data) {
			end = c.off + k + 1
		} else if end < len(data) {
			if k := bytes.IndexByte(data[end:], '\n'); k >= 0 {
				end += k + 1
			} else {
				end = len(data)
			}
		}
		c.text, c.off = string(data[c.off:end]), end
	}
	line := c.text
	if k := strings.IndexByte(c.text, '\n'); k >= 0 {
		line, c.text = c.text[:k], c.text[k+1:]
	} else {
		c.text = ""
	}
	return line, true
}

// appendFields appends the white-space separated fields of s to dst, as
// strings.Fields splits them (ASCII white space; a zone file is ASCII
// outside quoted strings, and a quoted string's spaces split it here as
// they did there).
func appendFields(dst []string, s string) []string {
	start := -1
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' {
			if start >= 0 {
				dst = append(dst, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		dst = append(dst, s[start:])
	}
	return dst
}

// parens is how much a line (without its comment) opens parentheses,
// outside quoted strings.
func parens(s string) int {
	d, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			quoted = !quoted
		case '(':
			if !quoted {
				d++
			}
		case ')':
			if !quoted {
				d--
			}
		}
	}
	return d
}

// ttlBeforeRecords reports whether a $TTL directive comes before the
// first record.
func ttlBeforeRecords(data []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxLine)
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(directive(line))
		switch {
		case len(f) == 0:
		case line[0] == '$' && strings.EqualFold(f[0], "$TTL"):
			return true
		case line[0] != '$':
			return false
		}
	}
	return false
}

// soaLine is the line of the first record line that names SOA as its
// type, or 0.
func soaLine(data []byte) int {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxLine)
	for n := 1; sc.Scan(); n++ {
		for _, f := range strings.Fields(directive(sc.Text())) {
			if strings.EqualFold(f, "SOA") {
				return n
			}
		}
	}
	return 0
}

// stringType reports whether a record line (owner, TTL and class, type)
// is of a type whose data are character strings of at most 255 bytes.
func stringType(line string) bool {
	f := strings.Fields(directive(line))
	if len(f) > 0 && line[0] != ' ' && line[0] != '\t' {
		f = f[1:]
	}
	for _, tok := range f {
		if _, ok := parseTTL(tok); ok {
			continue
		}
		if _, isClass := dns.StringToClass[strings.ToUpper(tok)]; isClass {
			continue
		}
		switch strings.ToUpper(tok) {
		case "TXT", "SPF", "HINFO", "AVC", "RESINFO":
			return true
		}
		return false
	}
	return false
}

// rdataStart is where a record line's data begins: after its owner (if
// written), TTL and class, and type; len(line) if it has none.
func rdataStart(line string) int {
	i, field := 0, 0
	owner := line != "" && line[0] != ' ' && line[0] != '\t'
	for i < len(line) {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		start := i
		for i < len(line) && line[i] != ' ' && line[i] != '\t' {
			if line[i] == '\\' {
				i++
			}
			i++
		}
		tok := line[start:min(i, len(line))]
		field++
		if field == 1 && owner {
			continue
		}
		if _, ok := parseTTL(tok); ok {
			continue
		}
		if _, isClass := dns.StringToClass[strings.ToUpper(tok)]; isClass {
			continue
		}
		return min(i, len(line)) // tok was the type
	}
	return len(line)
}

// longString reports whether line holds a character string (quoted, or
// a bare word) longer than 255 bytes, an escape (\DDD, \X) counting one,
// before its comment.
func longString(line string) bool {
	n, quoted, inWord := 0, false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '"':
			if quoted {
				quoted = false
				n = 0
			} else {
				quoted, n = true, 0
			}
			continue
		case !quoted && c == ';':
			return false
		case !quoted && (c == ' ' || c == '\t' || c == '(' || c == ')'):
			inWord, n = false, 0
			continue
		case c == '\\':
			if i+3 < len(line) && isDigit(line[i+1]) && isDigit(line[i+2]) && isDigit(line[i+3]) {
				i += 3
			} else {
				i++
			}
		}
		if !quoted && !inWord {
			inWord, n = true, 0
		}
		if n++; n > 255 {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// untimed is the line of the first record BIND refuses for want of a
// TTL, or 0: with no $TTL before it, a record without a TTL of its own
// before any record with one (RFC 1035's last TTL) and before the SOA
// (whose minimum BIND then takes) has none.
func untimed(data []byte) int {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxLine)
	depth := 0
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		code := directive(line)
		f := strings.Fields(code)
		start := depth
		depth = max(0, depth+parens(code))
		switch {
		case len(f) == 0 || start > 0:
			continue
		case line[0] == '$':
			if up := strings.ToUpper(f[0]); up == "$TTL" || up == "$INCLUDE" || up == "$GENERATE" {
				return 0 // a TTL, or records this does not follow: no verdict
			}
			continue
		}
		rest := f
		if line[0] != ' ' && line[0] != '\t' {
			rest = f[1:]
		}
		for _, tok := range rest {
			if _, ok := parseTTL(tok); ok {
				return 0
			}
			if _, isClass := dns.StringToClass[strings.ToUpper(tok)]; isClass {
				continue
			}
			if strings.EqualFold(tok, "SOA") {
				return 0
			}
			return n
		}
	}
	return 0
}

// directive is a line without its comment; directives hold no quotes.
func directive(line string) string {
	if i := strings.IndexByte(line, ';'); i >= 0 {
		return line[:i]
	}
	return line
}

// generateHasTTL: the fields after $GENERATE's range and owner are an
// optional TTL and class, in either order, then the type.
func generateHasTTL(f []string) bool {
	for _, tok := range f {
		if _, ok := parseTTL(tok); ok {
			return true
		}
		if _, isClass := dns.StringToClass[strings.ToUpper(tok)]; !isClass && !strings.HasPrefix(strings.ToUpper(tok), "CLASS") {
			return false // the type: no TTL came before it
		}
	}
	return false
}

// parseTTL reads a TTL as BIND writes them: seconds, or with units
// (1h30m, 1W).
func parseTTL(s string) (uint32, bool) {
	if s == "" || !unicode.IsDigit(rune(s[0])) {
		return 0, false
	}
	var total, num uint64
	digits := false
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= '0' && c <= '9':
			num, digits = num*10+uint64(c-'0'), true
		case strings.ContainsRune("smhdw", c) && digits:
			total += num * map[rune]uint64{'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}[c]
			num, digits = 0, false
		default:
			return 0, false
		}
		if total+num > 1<<32-1 {
			return 0, false
		}
	}
	return uint32(total + num), true
}

// absolute is name read with origin as BIND reads it.
func absolute(name, origin string) string {
	switch {
	case name == "@":
		return origin
	case strings.HasSuffix(name, "."):
		return name
	case origin == ".":
		return name + "."
	}
	return name + "." + origin
}

// Canonical is a name as zones are compared: fully qualified, lower-case.
func Canonical(n string) string { return strings.ToLower(dns.Fqdn(n)) }

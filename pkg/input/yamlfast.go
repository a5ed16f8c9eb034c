package input

import "strings"

// fastYAML reads the YAML most configuration is written in (block
// mappings and sequences of plain, quoted and one-line flow scalars, and
// the literal and folded block scalars of ConfigMaps and scripts) in one
// pass over its lines, without yaml.v3's scanner, tokens and node tree,
// which cost four times the rest of a small file's parse. At the first
// thing outside that shape (anchors, aliases, tags, multi-line flow and
// plain scalars, block scalars with an explicit indentation or leading
// empty lines, escapes other than \" \\ \n \t, tabs, carriage returns,
// non-ASCII bytes, directives, empty documents, a key written twice, any
// doubt) it gives up and the file is parsed by yaml.v3 as before.
// FuzzFastYAML holds the two to the same value and the same positions on
// every text the fast reader accepts.
type fastYAML struct {
	lines []fastLine
	raw   []string // every line as written, for block scalars
	// finalNL: the text ends with a line break (a block scalar that runs
	// to the end without one is left to yaml.v3).
	finalNL bool
	i       int // the next line
	end     int // the current document's end
	pos     positions
	nodes   int
	bad     bool
}

type fastLine struct {
	indent int    // leading spaces
	text   string // after them, trailing spaces removed; never empty
	num    int    // 1-based
	marker bool   // "---"
}

// maxFastKey bounds a key's length: libyaml refuses an implicit key of
// over 1,024 characters, and long keys are rare enough to leave to it.
const maxFastKey = 128

// maxFastDepth bounds nesting in the fast reader (flow collections recurse
// per bracket); deeper texts go to yaml.v3, which has its own bound.
const maxFastDepth = 200

// parseFast returns the value and positions of data, or ok=false.
func parseFast(data []byte) (v any, pos positions, ok bool) {
	f := &fastYAML{}
	if !f.split(data) {
		return nil, positions{}, false
	}
	// About a node a line, more with flow collections.
	f.pos.nodes = make([]position, 0, len(f.lines)+len(f.lines)/2+1)
	// Documents: runs of lines between markers; a marker before the first
	// line of content starts the first. An empty document is left to
	// yaml.v3 (it has rules of its own for them).
	var docs [][2]int
	start := 0
	for k, l := range f.lines {
		if !l.marker {
			continue
		}
		if k == start && k > 0 || k > 0 && f.lines[k-1].marker {
			return nil, positions{}, false
		}
		if k > start {
			docs = append(docs, [2]int{start, k})
		}
		start = k + 1
	}
	if start >= len(f.lines) {
		return nil, positions{}, false // nothing, or a trailing marker
	}
	docs = append(docs, [2]int{start, len(f.lines)})
	parent := int32(-1)
	if len(docs) > 1 {
		parent = f.pos.add(-1, "", -1, 0)
	}
	values := make([]any, 0, len(docs))
	for d, span := range docs {
		f.i, f.end = span[0], span[1]
		index := -1
		if len(docs) > 1 {
			index = d
		}
		v := f.block(f.lines[f.i].indent, parent, "", index, 0, 0)
		if f.bad || f.i != f.end {
			return nil, positions{}, false
		}
		values = append(values, v)
	}
	f.pos.done(parent)
	if len(docs) == 1 {
		return values[0], f.pos, true
	}
	return values, f.pos, true
}

// split cuts data into content lines; false when a byte needs yaml.v3.
// The lines (and so the keys and scalars) share one copy of the text.
func (f *fastYAML) split(data []byte) bool {
	for _, b := range data {
		if b < 0x20 && b != '\n' || b >= 0x7f {
			return false // tabs, CR, control, non-ASCII
		}
	}
	text := string(data)
	n := strings.Count(text, "\n") + 1
	f.lines, f.raw = make([]fastLine, 0, n), make([]string, 0, n)
	f.finalNL = strings.HasSuffix(text, "\n")
	num := 0
	for len(text) > 0 {
		num++
		line := text
		if k := strings.IndexByte(text, '\n'); k >= 0 {
			line, text = text[:k], text[k+1:]
		} else {
			text = ""
		}
		f.raw = append(f.raw, line)
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		content := strings.TrimRight(line[indent:], " ")
		switch {
		case content == "" || content[0] == '#':
			continue
		case indent == 0 && content == "---":
			f.lines = append(f.lines, fastLine{num: num, marker: true})
			continue
		case indent == 0 && (strings.HasPrefix(content, "---") || strings.HasPrefix(content, "...") || content[0] == '%'):
			return false
		}
		f.lines = append(f.lines, fastLine{indent: indent, text: content, num: num})
	}
	return true
}

func (f *fastYAML) fail() any {
	f.bad = true
	return nil
}

// node records a node below parent, on line (a mapping value's is its
// key's line) or else at.
func (f *fastYAML) node(parent int32, key string, index, line, at int) int32 {
	if f.nodes++; f.nodes > MaxNodes {
		f.bad = true
	}
	if line == 0 {
		line = at
	}
	return f.pos.add(parent, key, index, line)
}

// block reads the value starting at the current line, indented by indent.
func (f *fastYAML) block(indent int, parent int32, key string, index, line, depth int) any {
	if depth > maxFastDepth {
		return f.fail()
	}
	l := f.lines[f.i]
	if l.marker || l.indent != indent {
		return f.fail()
	}
	if isEntry(l.text) {
		return f.sequence(indent, parent, key, index, line, depth)
	}
	if _, _, ok := mapKey(l.text); ok {
		return f.mapping(indent, parent, key, index, line, depth)
	}
	f.i++
	return f.inline(l.text, parent, key, index, line, l.num)
}

func isEntry(text string) bool { return text == "-" || strings.HasPrefix(text, "- ") }

// mapKey splits "key: rest" with a plain key of the characters keys are
// usually made of.
func mapKey(text string) (key, rest string, ok bool) {
	if text == "" || !keyStart(text[0]) {
		return "", "", false
	}
	j := 1
	for j < len(text) && keyChar(text[j]) {
		j++
	}
	if j > maxFastKey || j == len(text) || text[j] != ':' || j+1 < len(text) && text[j+1] != ' ' {
		return "", "", false
	}
	raw := text[:j]
	return keyString(PlainScalar(raw), raw), strings.TrimLeft(text[j+1:], " "), true
}

func keyStart(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '.' || b == '/'
}

func keyChar(b byte) bool { return keyStart(b) || b == '-' }

func (f *fastYAML) mapping(indent int, parent int32, key string, index, line, depth int) any {
	self := f.node(parent, key, index, line, f.lines[f.i].num)
	defer f.pos.done(self)
	out := map[string]any{}
	for f.i < f.end && !f.bad {
		l := f.lines[f.i]
		if l.marker || l.indent < indent {
			break
		}
		k, rest, ok := mapKey(l.text)
		if l.indent > indent || !ok {
			return f.fail()
		}
		if _, dup := out[k]; dup {
			return f.fail()
		}
		if rest == "" || rest[0] == '#' {
			f.i++
			switch {
			case f.i < f.end && !f.lines[f.i].marker && f.lines[f.i].indent > indent:
				out[k] = f.block(f.lines[f.i].indent, self, k, -1, l.num, depth+1)
			case f.i < f.end && !f.lines[f.i].marker && f.lines[f.i].indent == indent && isEntry(f.lines[f.i].text):
				out[k] = f.sequence(indent, self, k, -1, l.num, depth+1)
			default:
				f.pos.done(f.node(self, k, -1, l.num, l.num))
				out[k] = nil
			}
			continue
		}
		f.i++
		out[k] = f.inline(rest, self, k, -1, l.num, l.num)
	}
	return out
}

func (f *fastYAML) sequence(indent int, parent int32, key string, index, line, depth int) any {
	self := f.node(parent, key, index, line, f.lines[f.i].num)
	defer f.pos.done(self)
	out := []any{}
	for f.i < f.end && !f.bad {
		l := f.lines[f.i]
		if l.marker || l.indent < indent || l.indent == indent && !isEntry(l.text) {
			break
		}
		if l.indent > indent || l.text == "-" {
			return f.fail()
		}
		rest := strings.TrimLeft(l.text[2:], " ")
		if rest[0] == '#' || isEntry(rest) {
			return f.fail()
		}
		if _, _, ok := mapKey(rest); ok {
			// "- key: value": a mapping whose keys line up after the dash.
			col := l.indent + len(l.text) - len(rest)
			f.lines[f.i].indent, f.lines[f.i].text = col, rest
			out = append(out, f.mapping(col, self, "", len(out), 0, depth+1))
			continue
		}
		f.i++
		out = append(out, f.inline(rest, self, "", len(out), 0, l.num))
	}
	return out
}

// inline reads a value written after "key: " or "- " on line at: a quoted
// or plain scalar or a flow collection, then nothing but a comment.
func (f *fastYAML) inline(s string, parent int32, key string, index, line, at int) any {
	if s[0] == '|' || s[0] == '>' {
		return f.blockScalar(s, parent, key, index, line, at)
	}
	if f.i < f.end && !f.lines[f.i].marker && f.lines[f.i].indent > f.lines[f.i-1].indent {
		return f.fail() // more lines of a scalar
	}
	switch c := s[0]; {
	case c == '"' || c == '\'' || c == '{' || c == '[':
		fl := &flow{f: f, s: s, line: at}
		v := fl.value(parent, key, index, line, 0)
		if !fl.ok || !trailing(s[fl.p:]) {
			return f.fail()
		}
		return v
	case strings.IndexByte("&*!|>%@`?,]}#:", c) >= 0, c == '-' && (len(s) == 1 || s[1] == ' '):
		return f.fail()
	}
	if k := strings.Index(s, " #"); k >= 0 {
		s = strings.TrimRight(s[:k], " ")
	}
	if strings.Contains(s, ": ") || strings.HasSuffix(s, ":") {
		return f.fail()
	}
	f.pos.done(f.node(parent, key, index, line, at))
	return PlainScalar(s)
}

// blockScalar reads a literal (|) or folded (>) scalar whose header s
// ends line at, as YAML 1.1 and libyaml do: its indentation is its first
// line's, and the line breaks after its last line are clipped to one,
// stripped (-) or kept (+). An explicit indentation, empty lines before
// the first, lines of spaces past the indentation, a folded scalar's
// more-indented lines or trailing spaces, an empty scalar and one that
// runs to the end of a text with no final line break are left to yaml.v3.
func (f *fastYAML) blockScalar(s string, parent int32, key string, index, line, at int) any {
	folded, chomp, h := s[0] == '>', byte(0), s[1:]
	if h != "" && (h[0] == '-' || h[0] == '+') {
		chomp, h = h[0], h[1:]
	}
	if !trailing(h) {
		return f.fail()
	}
	outer := f.lines[f.i-1].indent // the header's line: its mapping's or sequence's
	var content []string
	n, empty, last, ended := 0, 0, 0, false
	for k := at; k < len(f.raw); k++ {
		r := f.raw[k]
		sp := 0
		for sp < len(r) && r[sp] == ' ' {
			sp++
		}
		if sp == len(r) {
			if n == 0 || sp > n {
				return f.fail()
			}
			empty++
			continue
		}
		if n == 0 {
			if sp <= outer {
				return f.fail()
			}
			n = sp
		}
		if sp < n {
			ended = true
			break
		}
		if folded && (sp > n || r[len(r)-1] == ' ') {
			return f.fail()
		}
		for ; empty > 0; empty-- {
			content = append(content, "")
		}
		content = append(content, r[n:])
		last = k + 1
	}
	if n == 0 || !ended && !f.finalNL {
		return f.fail()
	}
	var b strings.Builder
	for i, c := range content {
		switch {
		case i == 0:
		case !folded:
			b.WriteByte('\n')
		case c == "":
			b.WriteByte('\n')
			continue
		case content[i-1] != "":
			b.WriteByte(' ')
		}
		b.WriteString(c)
	}
	switch chomp {
	case 0:
		b.WriteByte('\n')
	case '+':
		b.WriteString(strings.Repeat("\n", 1+empty))
	}
	for f.i < f.end && f.lines[f.i].num <= last {
		f.i++
	}
	f.pos.done(f.node(parent, key, index, line, at))
	return b.String()
}

// trailing reports whether what follows a value on its line is nothing, or
// spaces and a comment.
func trailing(s string) bool {
	t := strings.TrimLeft(s, " ")
	return t == "" || t[0] == '#' && len(t) < len(s)
}

// flow reads one line's quoted scalar or flow collection from s[p:].
type flow struct {
	f    *fastYAML
	s    string
	p    int
	line int
	ok   bool
}

func (fl *flow) value(parent int32, key string, index, line, depth int) any {
	fl.ok = false
	if depth > maxFastDepth || fl.p >= len(fl.s) {
		return nil
	}
	switch fl.s[fl.p] {
	case '"', '\'':
		v, ok := fl.quoted()
		if ok {
			fl.f.pos.done(fl.f.node(parent, key, index, line, fl.line))
		}
		fl.ok = ok
		return v
	case '{':
		return fl.mapping(parent, key, index, line, depth)
	case '[':
		return fl.sequence(parent, key, index, line, depth)
	}
	raw, ok := fl.plain()
	if !ok {
		return nil
	}
	fl.f.pos.done(fl.f.node(parent, key, index, line, fl.line))
	fl.ok = true
	return PlainScalar(raw)
}

// plain reads a plain scalar in a flow collection, up to , ] or }.
func (fl *flow) plain() (string, bool) {
	s := fl.s
	start := fl.p
	if c := s[start]; strings.IndexByte("&*!|>%@`?:-#,[]{}", c) >= 0 && !(c == '-' && start+1 < len(s) && keyStart(s[start+1])) {
		return "", false
	}
	for fl.p < len(s) && flowChar(s[fl.p]) {
		fl.p++
	}
	if fl.p == len(s) || s[fl.p] != ',' && s[fl.p] != ']' && s[fl.p] != '}' {
		return "", false
	}
	raw := strings.TrimRight(s[start:fl.p], " ")
	return raw, raw != ""
}

// quoted reads a one-line double- or single-quoted scalar.
func (fl *flow) quoted() (string, bool) {
	s := fl.s
	q := s[fl.p]
	var b strings.Builder
	for i := fl.p + 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q && q == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == q:
			fl.p = i + 1
			return b.String(), true
		case c == '\\' && q == '"':
			if i+1 == len(s) {
				return "", false
			}
			i++
			switch s[i] {
			case '"', '\\':
				b.WriteByte(s[i])
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				return "", false
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}

// flowChar: the characters a flow plain scalar may have here (libyaml
// has rules of its own for the others, "[0?]" is an error).
func flowChar(b byte) bool { return keyChar(b) || b == ' ' || b == '+' || b == '~' }

func (fl *flow) space() {
	for fl.p < len(fl.s) && fl.s[fl.p] == ' ' {
		fl.p++
	}
}

func (fl *flow) mapping(parent int32, key string, index, line, depth int) any {
	f := fl.f
	self := f.node(parent, key, index, line, fl.line)
	defer f.pos.done(self)
	out := map[string]any{}
	if fl.open('}') {
		return out
	}
	for {
		var k string
		keyAt := fl.p
		if fl.p < len(fl.s) && (fl.s[fl.p] == '"' || fl.s[fl.p] == '\'') {
			q, ok := fl.quoted()
			if !ok {
				return nil
			}
			k = q
		} else {
			start := fl.p
			for fl.p < len(fl.s) && keyChar(fl.s[fl.p]) {
				fl.p++
			}
			raw := fl.s[start:fl.p]
			if raw == "" || !keyStart(raw[0]) {
				return nil
			}
			k = keyString(PlainScalar(raw), raw)
		}
		if fl.p-keyAt > maxFastKey || fl.p+1 >= len(fl.s) || fl.s[fl.p] != ':' || fl.s[fl.p+1] != ' ' {
			return nil
		}
		if _, dup := out[k]; dup {
			return nil
		}
		fl.p += 2
		fl.space()
		v := fl.value(self, k, -1, fl.line, depth+1)
		if !fl.ok {
			return nil
		}
		out[k] = v
		if end, more := fl.after('}'); end {
			return out
		} else if !more {
			return nil
		}
	}
}

func (fl *flow) sequence(parent int32, key string, index, line, depth int) any {
	f := fl.f
	self := f.node(parent, key, index, line, fl.line)
	defer f.pos.done(self)
	out := []any{}
	if fl.open(']') {
		return out
	}
	for {
		v := fl.value(self, "", len(out), 0, depth+1)
		if !fl.ok {
			return nil
		}
		out = append(out, v)
		if end, more := fl.after(']'); end {
			return out
		} else if !more {
			return nil
		}
	}
}

// open steps past a flow collection's opening bracket and reports whether
// close follows at once (an empty collection; ok is set).
func (fl *flow) open(close byte) bool {
	fl.p++
	fl.space()
	if fl.p < len(fl.s) && fl.s[fl.p] == close {
		fl.p++
		fl.ok = true
		return true
	}
	return false
}

// after reads what follows an entry of a flow collection closed by
// close: the close (end; ok is set), or a comma and another entry (more).
// Anything else, a trailing or doubled comma among them, is neither and
// left to yaml.v3.
func (fl *flow) after(close byte) (end, more bool) {
	fl.ok = false
	fl.space()
	if fl.p >= len(fl.s) {
		return false, false
	}
	switch fl.s[fl.p] {
	case close:
		fl.p++
		fl.ok = true
		return true, false
	case ',':
		fl.p++
		fl.space()
		return false, fl.p < len(fl.s) && fl.s[fl.p] != close && fl.s[fl.p] != ','
	}
	return false, false
}

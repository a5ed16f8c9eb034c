package zonefile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/miekg/dns"

	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tree"
)

// Budgets of one zone: the bytes of a file, and the records it expands to
// (40 lines of "$GENERATE 0-65535" are 2.6 million records). Both keep a
// zone well inside the Task's memory limit (docs/security.md).
const (
	MaxFileSize = 64 << 20
	MaxRecords  = 500_000
)

// OwnerLines finds the first line each owner name appears on, so findings
// can point into the file (the parser does not say where a record was).
// Lines that start with white space continue the previous owner.
func OwnerLines(data []byte, origin string) map[string]int {
	lines := map[string]int{}
	eachOwner(data, origin, func(name []byte, n int) {
		if _, ok := lines[string(name)]; !ok {
			lines[string(name)] = n
		}
	})
	return lines
}

// eachOwner calls f with the canonical name (in a buffer reused for the
// next line) and number of each line that names an owner.
func eachOwner(data []byte, origin string, f func(name []byte, line int)) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxLine)
	var buf []byte
	for n := 1; sc.Scan(); n++ {
		text := sc.Bytes()
		if len(text) == 0 || text[0] == ' ' || text[0] == '\t' || text[0] == ';' || text[0] == '$' {
			if len(text) > 0 && text[0] == '$' {
				if f := strings.Fields(string(text)); len(f) >= 2 && strings.EqualFold(f[0], "$ORIGIN") {
					origin = Canonical(absolute(f[1], origin))
				}
			}
			continue
		}
		end := bytes.IndexFunc(text, unicode.IsSpace)
		if end < 0 {
			end = len(text)
		}
		owner := text[:end]
		if len(owner) == 0 { // other white space first (\f, \v, U+00A0)
			f := strings.Fields(string(text))
			if len(f) == 0 {
				continue
			}
			owner = []byte(f[0])
		}
		buf = canonicalOwner(buf[:0], owner, origin)
		f(buf, n)
	}
}

// canonicalOwner appends the canonical name of an owner as written:
// Canonical of it, made absolute under origin.
func canonicalOwner(dst, owner []byte, origin string) []byte {
	if len(owner) == 1 && owner[0] == '@' {
		return append(dst, origin...)
	}
	plain := true // ASCII without escapes: lower-cased byte by byte
	for _, c := range owner {
		if c >= 0x80 || c == '\\' {
			plain = false
			break
		}
	}
	if !plain {
		o := string(owner)
		if strings.HasSuffix(o, ".") {
			return append(dst, Canonical(o)...)
		}
		return append(dst, Canonical(o+"."+origin)...)
	}
	for _, c := range owner {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	if owner[len(owner)-1] == '.' {
		return dst
	}
	dst = append(dst, '.')
	return append(dst, origin...)
}

// zoneError turns the zone parser's error into a report.InputError with the line
// as a field, not as text. shift is how many lines preprocess added at the
// top of file.
func zoneError(file string, err error, shift int) error {
	var pe *dns.ParseError
	if errors.As(err, &pe) {
		msg := strings.TrimPrefix(pe.Error(), "dns: ")
		line := parseErrorLine(pe)
		// Only a line of file itself moved; an included file's did not.
		if rest, ours := strings.CutPrefix(msg, file+": "); ours {
			msg, line = rest, max(line-shift, 0)
		}
		msg = strings.TrimPrefix(msg, "dns: ")
		if i := strings.LastIndex(msg, " at line: "); i >= 0 {
			msg = msg[:i]
		}
		// The parser quotes the token it choked on: a short, escaped excerpt.
		return &report.InputError{File: file, Line: line, Msg: report.Excerpt(msg, 200)}
	}
	return &report.InputError{File: file, Msg: report.Excerpt(err.Error(), 200)}
}

func parseErrorLine(pe *dns.ParseError) int {
	// ParseError prints "… at line: L:C"; it keeps the position unexported.
	s := pe.Error()
	i := strings.LastIndex(s, "at line: ")
	if i < 0 {
		return 0
	}
	var line, col int
	fmt.Sscanf(s[i+len("at line: "):], "%d:%d", &line, &col)
	return line
}

// ReadFile reads a regular file inside root, within MaxFileSize: a zone
// file that is a symlink to the mounted TSIG key or token, or to
// /dev/zero, is refused before it is opened (pkg/tree).
func ReadFile(root, file string) ([]byte, error) {
	if root == "" {
		root = "."
	}
	data, err := tree.ReadFile(tree.RootFor(root, file), file, MaxFileSize)
	var te *tree.Error
	if errors.As(err, &te) {
		return nil, &report.InputError{File: file, Msg: te.Msg}
	}
	return data, err
}

// CheckIncludes refuses $INCLUDE outside root and include loops before the
// parser, which would follow any path, sees them.
func CheckIncludes(file string, data []byte, root string) error {
	return checkIncludes(file, data, root, map[string]bool{})
}

func checkIncludes(file string, data []byte, root string, seen map[string]bool) error {
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	if seen[abs] {
		return &report.InputError{File: file, Msg: "$INCLUDE loop"}
	}
	seen[abs] = true
	defer delete(seen, abs)
	rootAbs, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	if real, err := filepath.EvalSymlinks(rootAbs); err == nil {
		rootAbs = real
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxLine)
	for n := 1; sc.Scan(); n++ {
		// Most lines are records: look closer only at an $INCLUDE.
		if l := bytes.TrimLeftFunc(sc.Bytes(), unicode.IsSpace); len(l) < 8 || !bytes.EqualFold(l[:8], []byte("$INCLUDE")) {
			continue
		}
		f := strings.Fields(sc.Text())
		if len(f) < 2 || !strings.EqualFold(f[0], "$INCLUDE") {
			continue
		}
		target := f[1]
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(file), target)
		}
		t, err := filepath.Abs(target)
		if err != nil {
			return err
		}
		if real, err := filepath.EvalSymlinks(t); err == nil {
			t = real
		}
		if rel, err := filepath.Rel(rootAbs, t); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return &report.InputError{File: file, Line: n, Msg: fmt.Sprintf("$INCLUDE %s is outside %s", f[1], root)}
		}
		inc, err := ReadFile(root, target)
		if err != nil {
			return &report.InputError{File: file, Line: n, Msg: fmt.Sprintf("$INCLUDE %s: %v", f[1], err)}
		}
		if err := checkIncludes(target, inc, root, seen); err != nil {
			return err
		}
	}
	// A line the scanner cannot hold must not end the search silently:
	// the zone parser, which has no such limit, would then follow an
	// $INCLUDE nobody checked.
	if err := sc.Err(); err != nil {
		return &report.InputError{File: file, Msg: fmt.Sprintf("a line longer than %d bytes: %v", maxLine, err)}
	}
	return nil
}

// maxLine is the longest zone file line read; BIND's own tokens are far
// shorter.
const maxLine = 4 << 20

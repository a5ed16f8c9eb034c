package report

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	cut := n - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

// TruncateStart keeps the last n bytes of s on a rune boundary, marking
// the cut: for a tool's stderr, whose end says what went wrong.
func TruncateStart(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	cut := len(s) - n + len(mark)
	for cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut++
	}
	return mark + s[cut:]
}

// Excerpt is s made safe to quote in a message about hostile input: control
// characters (ANSI escapes, newlines that would forge a log line) are
// escaped as Go would write them, and the result is cut to n bytes.
func Excerpt(s string, n int) string {
	return Truncate(Printable(s), n)
}

// Printable escapes what a terminal or a log would interpret: control
// characters (tab excepted) and invalid UTF-8.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\t') || r == '\u2028' || r == '\u2029' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteString(strconv.QuoteToASCII(s[i : i+1])[1:5])
		case (unicode.IsControl(r) && r != '\t') || r == '\u2028' || r == '\u2029':
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

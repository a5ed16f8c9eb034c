package report

import "unicode/utf8"

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

// Package nesting guards recursive-descent parsers (HCL's among them) from
// input nested deep enough to overflow the stack: a Go stack overflow is a
// fatal error no recover catches, so a crashed check writes no report. The
// scan runs before the parser sees the text.
package nesting

// Deeper reports the line where bracket nesting ({, [, () first exceeds
// max. It ignores quoting and comments, so it can only over-count; real
// configuration comes nowhere near the limits callers use.
func Deeper(text []byte, max int) (line int, ok bool) {
	depth := 0
	line = 1
	for _, b := range text {
		switch b {
		case '\n':
			line++
		case '{', '[', '(':
			depth++
			if depth > max {
				return line, true
			}
		case '}', ']', ')':
			if depth > 0 {
				depth--
			}
		}
	}
	return 0, false
}

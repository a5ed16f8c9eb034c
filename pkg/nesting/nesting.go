package nesting

// What is nested too deep: brackets, or a run of prefix operators.
const (
	Brackets  = "brackets"
	Operators = "prefix operators (! and -)"
)

// Deeper reports the line where nesting first exceeds max, and what is
// nested: brackets ({, [, (), or a run of HCL's prefix operators (!!!!x,
// - - -x), each of which its parser descends into as it does a bracket
// (400,000 of them overflowed the stack: issue 30). It ignores quoting,
// and comments only for the operators, so it can only over-count; real
// configuration comes nowhere near the limits callers use.
func Deeper(text []byte, max int) (line int, what string, ok bool) {
	depth, run := 0, 0
	line = 1
	comment := false
	for i, b := range text {
		if comment {
			if b == '\n' {
				comment = false
				line++
			}
			continue
		}
		switch b {
		case '\n':
			line++
		case ' ', '\t', '\r':
		case '!', '-':
			if run++; depth+run > max {
				return line, Operators, true
			}
		case '#':
			comment, run = true, 0
		case '/':
			comment = i+1 < len(text) && text[i+1] == '/'
			run = 0
		case '{', '[', '(':
			run = 0
			depth++
			if depth > max {
				return line, Brackets, true
			}
		case '}', ']', ')':
			run = 0
			if depth > 0 {
				depth--
			}
		default:
			run = 0
		}
	}
	return 0, "", false
}

// Items counts what in text can start a value of its own: list elements
// and arguments (commas), attributes (=), blocks and collections ({, [,
// (). A parser holds several hundred bytes for each (hclsyntax: a list of
// 1,000,000 elements took 700 MiB), so callers bound it before parsing;
// it over-counts (strings and comments are not skipped), never under.
func Items(text []byte) int {
	n := 0
	for _, b := range text {
		switch b {
		case ',', '=', '{', '[', '(':
			n++
		}
	}
	return n
}

// The budgets of one HCL file, for every reader of HCL (policy-check's
// parser, terraform-validate, the secret scan, the address plan): past
// them hclsyntax's recursion takes seconds or overflows its stack, and no
// real configuration comes near.
const (
	HCLDepth = 256
	HCLItems = 300_000
)

// HCLFits reports whether text is within both HCL budgets.
func HCLFits(text []byte) bool {
	if Items(text) > HCLItems {
		return false
	}
	_, _, deep := Deeper(text, HCLDepth)
	return !deep
}

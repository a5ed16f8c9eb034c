package report

import (
	"strings"
	"testing"
)

func TestTruncate(t *testing.T) {
	for _, tt := range []struct {
		in         string
		n          int
		head, tail string
	}{
		{"short", 10, "short", "short"},
		{"abcdefghij", 6, "abc…", "…hij"},
		{"ééééé", 6, "é…", "…é"}, // never split a rune
	} {
		if got := Truncate(tt.in, tt.n); got != tt.head || len(got) > tt.n {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.head)
		}
		if got := TruncateStart(tt.in, tt.n); got != tt.tail || len(got) > tt.n {
			t.Errorf("TruncateStart(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.tail)
		}
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, tabs\tstay": "plain text, tabs\tstay",
		"\x1b[31mred\x1b[0m":     `\x1b[31mred\x1b[0m`,
		"forged\nreport: PASS":   `forged\nreport: PASS`,
		"bad \xff byte":          `bad \xff byte`,
		"zone \u2028 separator":  `zone \u2028 separator`,
		"ünïcödé stays":          "ünïcödé stays",
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Excerpt("\x1b"+strings.Repeat("a", 100), 10); got != `\x1baaa…` {
		t.Errorf("Excerpt = %q", got)
	}
}

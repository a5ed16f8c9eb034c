package report

import "testing"

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

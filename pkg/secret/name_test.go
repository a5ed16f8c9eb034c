package secret

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// TestName: every name of the shared table (testdata/secret-names.txt,
// which the policy library's test reads too) is decided as the table says.
func TestName(t *testing.T) {
	f, err := os.Open("testdata/secret-names.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, want, _ := strings.Cut(line, "\t")
		if got := Name(name); got != (want == "true") {
			t.Errorf("Name(%q) = %v, want %v (tokens %q)", name, got, want == "true", Tokens(name))
		}
		n++
	}
	if n < 20 {
		t.Fatalf("only %d names in the table", n)
	}
}

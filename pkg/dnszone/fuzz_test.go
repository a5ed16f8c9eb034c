package dnszone

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbline/plumbline/pkg/report"
)

// FuzzZoneFile: no zone file text panics the reader; what it accepts
// survives normalising twice (the normaliser is idempotent: a zone diffed
// against itself plans nothing).
func FuzzZoneFile(f *testing.F) {
	for _, seed := range []string{
		live,
		"$ORIGIN a.test.\n$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n",
		"$ORIGIN a.test.\n$TTL 60\nx TXT \"a\" \"b\"\nx MX 10 A.test.\n",
		"$ORIGIN a.test.\n$INCLUDE /etc/passwd\n", "$TTL\n", "@ IN A\n", "\xff\xfe",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		z, err := parseZone("f.zone", []byte(text), "a.test.", "", Options{})
		if err != nil {
			return
		}
		p := Diff(z, z, true)
		if len(p.Changes) != 0 {
			t.Fatalf("a zone diffed against itself plans %v", p.Changes)
		}
	})
}

// FuzzYAML: no YAML zone panics the reader, and every error names a line
// of the file or none.
func FuzzYAML(f *testing.F) {
	yamlSeed, _ := os.ReadFile("testdata/yaml/home.arpa.yaml")
	for _, seed := range []string{
		string(yamlSeed),
		"zone: a.test.\nrecords:\n  x:\n    A: 192.0.2.1\n",
		"zone: a.test.\nrecords:\n  x:\n    MX: {ttl: 5, values: [\"10 m\"]}\n",
		"zone: a.test.\nrecords: 3\n", "zone: [\n", "ttl: -1\n", "zone: a.test.\nrecords:\n  ../../x:\n    A: 1.2.3.4\n",
	} {
		f.Add(seed)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, text string) {
		file := filepath.Join(dir, "z.yaml")
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		z, err := ReadYAML(file, Options{})
		if err != nil {
			if ie, ok := err.(*report.InputError); ok {
				lines := strings.Count(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(text), "\n") + 2
				if ie.Line < 0 || ie.Line > lines {
					t.Fatalf("error at line %d of %d: %v", ie.Line, lines, err)
				}
			}
			return
		}
		if p := Diff(z, z, true); len(p.Changes) != 0 {
			t.Fatalf("a zone diffed against itself plans %v", p.Changes)
		}
	})
}

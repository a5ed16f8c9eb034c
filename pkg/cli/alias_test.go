package cli

import (
	"flag"
	"strings"
	"testing"
)

// An old name shows in --help taking what the new one takes, not flag's
// "value".
func TestAliasHelp(t *testing.T) {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	var pr string
	fs.StringVar(&pr, "pr", "", "keep one comment on this pull request `NUMBER`")
	NewAlias(fs, "github-pr", "pr", &pr)
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	if want := "-github-pr NUMBER\n    \tdeprecated: --pr NUMBER (the old name goes in the next catalog version)"; !strings.Contains(b.String(), want) {
		t.Errorf("help:\n%s\nwant %q", b.String(), want)
	}
}

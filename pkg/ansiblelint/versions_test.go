package ansiblelint

import (
	"strings"
	"testing"
)

// The launcher's versions file is taken only when it holds two versions.
func TestSaidVersions(t *testing.T) {
	for _, tc := range []struct{ in, lint, core string }{
		{"6.13.1 2.14.18\n", "6.13.1", "2.14.18"},
		{"24.2.0 2.16.3rc1", "24.2.0", "2.16.3rc1"},
		{"6.13.1+debian 2.14.18-1", "6.13.1+debian", "2.14.18-1"},
		{"", "", ""},
		{"6.13.1", "", ""},
		{"6.13.1 2.14.18 extra", "", ""},
		{"6.13.1 <b>2.14</b>", "", ""},
		{"[x](http://a) 2.14.18", "", ""},
		{"6.13.1 " + strings.Repeat("9", 65), "", ""},
	} {
		if lint, core := saidVersions([]byte(tc.in)); lint != tc.lint || core != tc.core {
			t.Errorf("saidVersions(%q) = %q, %q; want %q, %q", tc.in, lint, core, tc.lint, tc.core)
		}
	}
}

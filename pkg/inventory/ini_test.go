package inventory

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/pkg/report"
)

func TestParseINI(t *testing.T) {
	tests := []struct {
		name, in string
		groups   map[string][]string
		errLine  int
		errMsg   string
	}{
		{
			name: "groups, vars, children, comments, quotes",
			in: "# inventory\nsolo ansible_host=10.0.0.9\n[dns]\ndns1 ansible_host=10.0.20.11 note=\"two words\" # comment\n" +
				"dns2 ansible_host='10.0.20.12'\n\n[dns:vars]\nansible_user = debian\n[all:children]\ndns\n",
			groups: map[string][]string{"ungrouped": {"solo"}, "dns": {"dns1", "dns2"}, "all": nil},
		},
		{name: "unclosed header", in: "[dns\nx\n", errLine: 1, errMsg: `section header "[dns" has no closing ]`},
		{name: "unknown section type", in: "[dns:hosts]\n", errLine: 1, errMsg: `unknown section type "hosts" (want [dns], [dns:vars] or [dns:children])`},
		{name: "host var without value", in: "[dns]\ndns1 ansible_host\n", errLine: 2, errMsg: `expected key=value host variable after dns1, got "ansible_host"`},
		{name: "unterminated quote", in: "[dns]\ndns1 a=\"x\n", errLine: 2, errMsg: `unterminated " quote`},
		{name: "vars without =", in: "[dns:vars]\nansible_user debian\n", errLine: 2, errMsg: `expected key=value in [dns:vars], got "ansible_user debian"`},
		{name: "two groups on a children line", in: "[all:children]\ndns dhcp\n", errLine: 2, errMsg: `expected one group name per line in [all:children], got "dns dhcp"`},
		{name: "text after header", in: "[dns] extra\n", errLine: 1, errMsg: `unexpected "extra" after section header`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := ParseINI("hosts.ini", []byte(tt.in))
			if tt.errMsg == "" {
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.groups, inv.Groups); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				return
			}
			var ie *report.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error = %v, want a *report.InputError", err)
			}
			if ie.Line != tt.errLine || ie.Msg != tt.errMsg {
				t.Errorf("got line %d %q, want line %d %q", ie.Line, ie.Msg, tt.errLine, tt.errMsg)
			}
		})
	}
}

// FuzzParseINI: no input panics; an error always names a line of the input.
func FuzzParseINI(f *testing.F) {
	for _, seed := range []string{
		"[dns]\ndns1 ansible_host=10.0.20.11 x=\"a b\"\n[dns:vars]\na=1\n[all:children]\ndns\n",
		"[dns\n", "a b\n", "[x:y]\n", "h 'unterminated\n", "h a=\\\"\n", "\xff\xfe[\x00]\n", "[a]  # c\nh\\ x=1\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		inv, err := ParseINI("hosts.ini", []byte(in))
		if err != nil {
			var ie *report.InputError
			if errors.As(err, &ie) {
				if lines := strings.Count(in, "\n") + 1; ie.Line < 1 || ie.Line > lines {
					t.Fatalf("error at line %d of a %d-line input", ie.Line, lines)
				}
			}
			return
		}
		for g, hosts := range inv.Groups {
			if g == "" {
				t.Fatal("empty group name accepted")
			}
			for _, h := range hosts {
				if h == "" {
					t.Fatal("empty host name accepted")
				}
			}
		}
	})
}

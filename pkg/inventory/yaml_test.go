package inventory

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

func TestHostVars(t *testing.T) {
	ini, err := ParseINI("hosts.ini", []byte("[dns]\ndns1 ansible_host=10.0.20.11 note=\"two words\"\ndns2\n"))
	if err != nil {
		t.Fatal(err)
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("all:\n  children:\n    dns:\n      hosts:\n        dns1:\n          ansible_host: 10.0.20.11\n          note: two words\n        dns2:\n"), &n); err != nil {
		t.Fatal(err)
	}
	y, ok := FromYAML(&n)
	if !ok {
		t.Fatal("not an inventory")
	}
	for name, tc := range map[string]struct {
		inv  *Inventory
		want map[string]*Host
	}{
		"ini": {ini, map[string]*Host{
			"dns1": {Name: "dns1", Line: 2, Vars: map[string]Var{"ansible_host": {"10.0.20.11", 2}, "note": {"two words", 2}}},
			"dns2": {Name: "dns2", Line: 3, Vars: map[string]Var{}},
		}},
		"yaml": {y, map[string]*Host{
			"dns1": {Name: "dns1", Line: 5, Vars: map[string]Var{"ansible_host": {"10.0.20.11", 6}, "note": {"two words", 7}}},
			"dns2": {Name: "dns2", Line: 8, Vars: map[string]Var{}},
		}},
	} {
		if d := cmp.Diff(tc.want, tc.inv.Hosts); d != "" {
			t.Errorf("%s: hosts (-want +got):\n%s", name, d)
		}
	}
	if d := cmp.Diff(map[string][]string{"all": nil, "dns": {"dns1", "dns2"}}, y.Groups); d != "" {
		t.Errorf("yaml groups (-want +got):\n%s", d)
	}
}

// FuzzFromYAML: any YAML gives an inventory or not, never a panic.
func FuzzFromYAML(f *testing.F) {
	f.Add("all:\n  children:\n    dns:\n      hosts:\n        dns1: {ansible_host: 10.0.0.1}\n")
	f.Add("plugin: community.general.proxmox\n")
	f.Fuzz(func(t *testing.T, in string) {
		var n yaml.Node
		if yaml.Unmarshal([]byte(in), &n) != nil {
			return
		}
		FromYAML(&n)
	})
}

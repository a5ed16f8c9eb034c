package ansiblelint

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/testfs"
)

// A collection has a module that is a file of its plugins, or that its
// meta/runtime.yml routes (a redirect, a tombstone); the routing is read
// only for a module that is not a file.
func TestCollectionHas(t *testing.T) {
	dir := t.TempDir()
	testfs.WriteAll(t, dir, map[string]string{
		"MANIFEST.json":                 `{"collection_info": {"version": "9.5.0"}}`,
		"plugins/modules/ufw.py":        "# a module\n",
		"plugins/modules/system/sub.py": "# in a subdirectory\n",
		"plugins/action/copyish.py":     "# an action plugin\n",
		"meta/runtime.yml": "plugin_routing:\n  modules:\n    old_ufw:\n      redirect: community.general.ufw\n" +
			"    gone:\n      tombstone:\n        removal_version: 2.0.0\n  lookup:\n    not_a_module: {}\n",
	})
	c := readCollection(dir)
	if c.version != "9.5.0" {
		t.Errorf("version %q, want 9.5.0", c.version)
	}
	got := map[string]bool{}
	for _, m := range []string{"ufw", "system.sub", "copyish"} {
		got[m] = c.has(m)
	}
	if c.routed != nil {
		t.Error("meta/runtime.yml was read for modules that are files")
	}
	for _, m := range []string{"old_ufw", "gone", "not_a_module", "missing"} {
		got[m] = c.has(m)
	}
	want := map[string]bool{"ufw": true, "system.sub": true, "copyish": true, "old_ufw": true, "gone": true, "not_a_module": false, "missing": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("has (-want +got):\n%s", diff)
	}
}

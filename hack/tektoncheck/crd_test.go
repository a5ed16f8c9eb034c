package tektoncheck

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMakefileCRDModules: make lint finds the CRD modules' directories
// once for every check it runs; its list is crdModules.
func TestMakefileCRDModules(t *testing.T) {
	b, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^CRD_MODULES = (.*)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no CRD_MODULES in the Makefile")
	}
	if diff := cmp.Diff(crdModules, strings.Fields(string(m[1]))); diff != "" {
		t.Errorf("Makefile CRD_MODULES (-crdModules +Makefile):\n%s", diff)
	}
}

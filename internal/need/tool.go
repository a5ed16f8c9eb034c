package need

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Tool returns the path of a peer tool `make tools` builds into
// build/tools at the module root (version says which); the environment
// variable PLUMBLINE_<NAME> overrides it. Without it, t is skipped, or
// fails under EnvAll.
func Tool(t testing.TB, name, version string) string {
	t.Helper()
	env := "PLUMBLINE_" + strings.ToUpper(name)
	if bin := os.Getenv(env); bin != "" {
		return bin
	}
	bin := filepath.Join(ModuleRoot(), "build", "tools", name)
	if _, err := os.Stat(bin); err != nil {
		Missing(t, "needs %s at %s: run `make tools` (builds %s %s) or set %s", name, bin, name, version, env)
	}
	return bin
}

// ModuleRoot is the nearest directory above the working directory with a
// go.mod (go test runs in the package's directory).
func ModuleRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

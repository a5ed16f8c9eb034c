// Package need lets a test say what it needs of the machine: a tool, or
// root. Where it is missing, the test is skipped with the reason, so `go
// test ./...` runs green on a laptop without BIND, ansible-lint or root —
// unless PLUMBLINE_NEED_ALL is set, as `make test` (and with it CI) sets it:
// there a missing need fails the test, and nothing is skipped unseen.
package need

import (
	"fmt"
	"os"
	"testing"
)

// EnvAll is the variable that turns a missing need into a failure.
const EnvAll = "PLUMBLINE_NEED_ALL"

// Missing skips t, or fails it under EnvAll, saying why.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(EnvAll) != "" {
		t.Fatalf("%s (%s is set: make test runs everything)", msg, EnvAll)
		return // Fatalf does not return on a real test
	}
	t.Skip(msg)
}

// Root skips (or fails) t unless it runs as root.
func Root(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "needs root: %s", why)
	}
}

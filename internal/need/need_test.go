package need

import (
	"strings"
	"testing"
)

// recorder is a testing.TB that records how a test ended.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()                        {}
func (r *recorder) Skip(args ...any)               { r.skipped = args[0].(string) }
func (r *recorder) Fatalf(format string, a ...any) { r.failed = format }

func TestMissing(t *testing.T) {
	t.Setenv(EnvAll, "")
	r := &recorder{}
	Missing(r, "needs %s", "named")
	if r.skipped != "needs named" || r.failed != "" {
		t.Errorf("without %s: %+v", EnvAll, r)
	}
	t.Setenv(EnvAll, "1")
	r = &recorder{}
	Missing(r, "needs %s", "named")
	if r.skipped != "" || !strings.Contains(r.failed, "make test runs everything") {
		t.Errorf("with %s: %+v", EnvAll, r)
	}
}

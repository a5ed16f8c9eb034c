package bench

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/plumbline/plumbline/internal/gotool"
)

// BenchmarkPlumblineCheckHomelab: plumbline check on examples/homelab (its
// .plumbline.yaml: terraform offline, ansible-lint, the repository's
// policies, two zones against two snapshots each) against the four check
// binaries run one after another and report merging them, the way
// hack/demo.sh ran them before plumbline existed, with the same work (both
// live sources in dns-zone-diff's one run). Interleaved in one loop on the
// same machine; goal: sequential/plumbline >= 1.5 in wall time. Also
// printed: ansible-lint-check's own time (the floor of any parallel run)
// and the ratio without Ansible.
func BenchmarkPlumblineCheckHomelab(b *testing.B) {
	bin := b.TempDir()
	for _, pkg := range []string{"cmd/plumbline", "images/terraform-validate", "images/ansible-lint-check", "images/policy-check", "images/dns-zone-diff", "images/report"} {
		if err := gotool.Build(filepath.Join(bin, filepath.Base(pkg)), "../"+pkg); err != nil {
			b.Fatal(err)
		}
	}
	example, err := filepath.Abs("../examples/homelab")
	if err != nil {
		b.Fatal(err)
	}
	b.Chdir(example)
	out := b.TempDir()
	run := func(name string, args ...string) time.Duration {
		d, _ := timed(b, []int{1}, filepath.Join(bin, name), args...)
		return d
	}
	// The same without Ansible, whose ansible-lint (Python) is most of
	// the sequential time and bounds any parallel run from below: this is
	// what running our own checks together buys.
	var one, seq, ansible, oneOurs, seqOurs time.Duration
	for b.Loop() {
		one += run("plumbline", "check", "--quiet", "--format", "json", ".")
		oneOurs += run("plumbline", "check", "--quiet", "--format", "json", "--only", "terraform,policy,dns", ".")
		reports := filepath.Join(out, "reports")
		os.RemoveAll(reports)
		var ours time.Duration
		ours += run("terraform-validate", "--format", "json", "--offline", "--report-dir", reports, "terraform")
		a := run("ansible-lint-check", "--format", "json", "--report-dir", reports, "ansible")
		ours += run("policy-check", "--format", "json", "--all-namespaces", "--report-dir", reports, ".")
		ours += run("dns-zone-diff", "--format", "json", "--desired", "dns", "--live", "dns-live", "--live", "dns-live/dns2", "--report-dir", reports, ".")
		ours += run("report", "--format", "json", "--missing", "error",
			filepath.Join(reports, "terraform-validate.json"), filepath.Join(reports, "ansible-lint-check.json"),
			filepath.Join(reports, "policy-check.json"), filepath.Join(reports, "dns-zone-diff.json"))
		seq += ours + a
		seqOurs += ours
		ansible += a
	}
	n := float64(b.N)
	b.ReportMetric(seq.Seconds()/one.Seconds(), "ratio-sequential/plumbline")
	b.ReportMetric(one.Seconds()/n, "plumbline-s/op")
	b.ReportMetric(seq.Seconds()/n, "sequential-s/op")
	b.ReportMetric(ansible.Seconds()/n, "ansible-lint-check-s/op")
	b.ReportMetric(seqOurs.Seconds()/oneOurs.Seconds(), "ratio-without-ansible")
}

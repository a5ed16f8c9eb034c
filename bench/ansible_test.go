package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plumbline/plumbline/pkg/ansiblelint"
	"github.com/plumbline/plumbline/pkg/cli"
)

// genAnsible writes an Ansible project of 200 tasks: 10 roles of 15 tasks
// and 5 playbooks of 10, with a few violations so both sides report.
func genAnsible(b *testing.B, root string) {
	write := func(p, s string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	task := func(sb *strings.Builder, indent string, i int) {
		switch i % 10 {
		case 3:
			fmt.Fprintf(sb, "%s- ansible.builtin.command: echo %d\n", indent, i) // name[missing], no-changed-when
		case 7:
			fmt.Fprintf(sb, "%s- name: Shell %d\n%s  ansible.builtin.shell: cat /etc/hosts | wc -l\n%s  changed_when: false\n", indent, i, indent, indent)
		default:
			fmt.Fprintf(sb, "%s- name: Ensure file %d\n%s  ansible.builtin.file:\n%s    path: /tmp/f%d\n%s    state: touch\n%s    mode: \"0644\"\n", indent, i, indent, indent, i, indent, indent)
		}
	}
	for r := range 10 {
		var sb strings.Builder
		sb.WriteString("---\n")
		for i := range 15 {
			task(&sb, "", i)
		}
		write(filepath.Join(root, fmt.Sprintf("roles/role%d/tasks/main.yml", r)), sb.String())
	}
	for p := range 5 {
		var sb strings.Builder
		fmt.Fprintf(&sb, "---\n- name: Play %d\n  hosts: all\n  roles:\n    - role%d\n    - role%d\n  tasks:\n", p, 2*p, 2*p+1)
		for i := range 10 {
			task(&sb, "    ", i)
		}
		write(filepath.Join(root, fmt.Sprintf("playbooks/play%d.yml", p)), sb.String())
	}
	write(filepath.Join(root, "ansible.cfg"), "[defaults]\nroles_path = roles\n")
}

// BenchmarkAnsibleLintOverhead: ansible-lint-check against raw ansible-lint
// with the same options on the same 200-task project, interleaved in one
// loop; goal: ratio <= 1.03 (the cost is ansible-lint's own).
func BenchmarkAnsibleLintOverhead(b *testing.B) {
	bin, err := ansiblelint.FindBinary("")
	if err != nil {
		b.Fatal(err)
	}
	root := b.TempDir()
	genAnsible(b, root)
	b.Chdir(root)
	var ours, raw time.Duration
	for b.Loop() {
		start := time.Now()
		cmd := exec.Command(bin, "-f", "codeclimate", "-q", "--nocolor", "--offline")
		var out bytes.Buffer
		cmd.Stdout = &out
		var ee *exec.ExitError
		if err := cmd.Run(); err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 2) {
			b.Fatalf("raw ansible-lint: %v", err)
		}
		mid := time.Now()
		var log bytes.Buffer
		code := cli.Main(context.Background(), cli.Command{Name: ansiblelint.Tool, Check: &ansiblelint.Check{}},
			[]string{"--format", "json", "."}, cli.Env{Stdout: &log, Stderr: &log})
		if code != cli.ExitFindings {
			b.Fatalf("ansible-lint-check exited %d:\n%s", code, log.String())
		}
		ours += time.Since(mid)
		raw += mid.Sub(start)
	}
	b.ReportMetric(ours.Seconds()/raw.Seconds(), "ratio-vs-raw-ansible-lint")
	b.ReportMetric(raw.Seconds()/float64(b.N), "raw-s/op")
	b.ReportMetric(ours.Seconds()/float64(b.N), "wrapper-s/op")
}

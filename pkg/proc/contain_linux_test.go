package proc

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The contained checks' secrets and reports, attacked as issue 30 did: a
// tool reads its parent's environment through /proc (terraform's
// file("/proc/${ppid}/environ")), and a helper it detaches from its
// process group writes after the check is done. Both run in a child
// process of this test binary, as an unprivileged user (root may read any
// process's environment: the pods run as 65532 with no capabilities).
func TestContain(t *testing.T) {
	if os.Getenv("PROC_CONTAIN_CHILD") != "" {
		return // the child's work is done in TestContainChild
	}
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The unprivileged child runs the binary from here and writes here.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	exe := filepath.Join(dir, "proc.test")
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(dir, "late")
	cmd := exec.Command(exe, "-test.run=^TestContainChild$", "-test.v")
	cmd.Env = []string{"PROC_CONTAIN_CHILD=1", "PROC_MARKER=" + marker, "TF_TOKEN_example_com=s3cr3t-t0ken", "PATH=" + os.Getenv("PATH")}
	if os.Getuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if strings.Contains(string(out), "s3cr3t") {
		t.Errorf("a tool read the check's environment:\n%s", out)
	}
	if !strings.Contains(string(out), "environ: denied") {
		t.Errorf("the read of /proc/PPID/environ was not refused:\n%s", out)
	}
	// The detached helper sleeps 1 s, then writes: Run killed it first.
	time.Sleep(1500 * time.Millisecond)
	if _, err := os.Stat(marker); err == nil {
		t.Error("a helper detached from the tool's process group outlived the run and wrote its file")
	}
}

func TestContainChild(t *testing.T) {
	if os.Getenv("PROC_CONTAIN_CHILD") == "" {
		t.Skip("run by TestContain")
	}
	if err := Contain(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// cat's own environment is its own: only the parent's is read here.
	cmd := Command(ctx, "sh", "-c", fmt.Sprintf("cat /proc/%d/environ >/dev/null 2>&1 && cat /proc/%d/environ || echo 'environ: denied'", os.Getpid(), os.Getpid()))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	res, err := Run(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%s\n", res.Stdout)
	// setsid leaves the tool's process group and session: only the
	// subreaper still holds it.
	marker := os.Getenv("PROC_MARKER")
	cmd = Command(ctx, "sh", "-c", "setsid sh -c 'sleep 1; echo late > "+marker+"' >/dev/null 2>&1 </dev/null & echo detached")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	if res, err = Run(ctx, cmd); err != nil || !strings.Contains(string(res.Stdout), "detached") {
		t.Fatalf("%s %v", res.Stdout, err)
	}
	if kids := children(os.Getpid()); len(kids) != 0 {
		t.Errorf("children left after the run: %v", kids)
	}
	fmt.Println("pid " + strconv.Itoa(os.Getpid()))
}

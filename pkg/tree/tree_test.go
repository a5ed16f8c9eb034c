package tree

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Every way a pull request could point a check at something that is not
// its own regular file, and the one way that is fine (a symlink inside).
func TestReadFile(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "tsig.key")
	if err := os.WriteFile(secret, []byte("tK3n-secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(root, "a.zone"), []byte("ok"), 0o644))
	must(os.WriteFile(filepath.Join(root, "big.zone"), make([]byte, 100), 0o644))
	must(os.WriteFile(filepath.Join(root, "edge.zone"), []byte("0123456789"), 0o644))
	must(os.WriteFile(filepath.Join(root, "over.zone"), []byte("0123456789!"), 0o644))
	must(os.Mkdir(filepath.Join(root, "sub"), 0o755))
	must(os.Symlink("../a.zone", filepath.Join(root, "sub", "inside.zone")))
	must(os.Symlink(secret, filepath.Join(root, "key.zone")))
	must(os.Symlink("../../../../../../../../dev/zero", filepath.Join(root, "zero.zone")))
	must(os.Symlink(outside, filepath.Join(root, "out")))
	must(syscall.Mkfifo(filepath.Join(root, "fifo.zone"), 0o644))
	tests := []struct{ name, want, err string }{
		{name: "a.zone", want: "ok"},
		{name: "sub/inside.zone", want: "ok"},
		{name: "key.zone", err: "key.zone: refused: a symlink that leads out of the scanned tree"},
		{name: "zero.zone", err: "zero.zone: refused: a symlink that leads out of the scanned tree"},
		{name: "out/tsig.key", err: "out/tsig.key: refused: a symlink that leads out of the scanned tree"},
		{name: "fifo.zone", err: "fifo.zone: refused: not a regular file (a FIFO)"},
		{name: "sub", err: "sub: refused: not a regular file (a directory)"},
		{name: "big.zone", err: "big.zone: 100 bytes, over the 10-byte limit"},
		{name: "edge.zone", want: "0123456789"},
		{name: "over.zone", err: "over.zone: 11 bytes, over the 10-byte limit"},
		{name: "../x", err: "../x: refused: outside the scanned tree"},
	}
	must(os.WriteFile(filepath.Join(root, "sub", "b.zone"), []byte("b"), 0o644))
	tests = append(tests, struct{ name, want, err string }{name: "sub/b.zone", want: "b"})
	t.Chdir(root)
	// Each file by a Reader of its own, then all by one (whose open
	// directories are reused), twice.
	shared, err := NewReader(root)
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	reads := []func(string) ([]byte, error){
		func(name string) ([]byte, error) { return ReadFile(root, name, 10) },
		func(name string) ([]byte, error) { return shared.ReadFile(name, 10) },
		func(name string) ([]byte, error) { return shared.ReadFile(name, 10) },
	}
	for _, read := range reads {
		for _, tt := range tests {
			got, err := read(tt.name)
			var te *Error
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("%s: %v", tt.name, err)
			case tt.err != "" && (!errors.As(err, &te) || err.Error() != tt.err):
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
			case string(got) != tt.want:
				t.Errorf("%s: read %q", tt.name, got)
			}
		}
	}
	esc, err := Escapes(root, root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range esc {
		got = append(got, e.Error())
	}
	want := []string{
		filepath.Join(root, "fifo.zone") + ": refused: not a regular file (p---------)",
		filepath.Join(root, "key.zone") + ": refused: a symlink that leads out of the scanned tree",
		filepath.Join(root, "out") + ": refused: a symlink that leads out of the scanned tree",
		filepath.Join(root, "zero.zone") + ": refused: a symlink that leads out of the scanned tree",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Escapes (-want +got):\n%s", diff)
	}
	// The same walk named relatively, as a check given its default PATH
	// ("ansible", ".") does it: a symlink inside (sub/inside.zone) stays
	// fine, whatever the spelling (issue 31: k3s-ansible's handlers).
	for _, dir := range []string{".", "sub", "./sub/"} {
		esc, err := Escapes(".", dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range esc {
			if filepath.Base(e.Path) == "inside.zone" {
				t.Errorf("Escapes(., %q): %v", dir, e)
			}
		}
	}
}

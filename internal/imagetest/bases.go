// Package imagetest builds the world the image tests need and cannot pull:
// base images assembled locally (a static base, one carrying this
// machine's terraform, one with Debian's ansible-lint from debootstrap),
// a copy of .ko.yaml that uses them, and `make images` against a registry
// on loopback. test/images and test/e2e share it.
package imagetest

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// entry is one file of a base layer.
type entry struct {
	name string
	mode int64
	data []byte // nil for a directory
	uid  int
}

// layer builds a gzip layer from entries with fixed times, so the same
// entries give the same digest.
func layer(t testing.TB, entries []entry) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Uid: e.uid, Gid: e.uid, Format: tar.FormatPAX}
		if e.data == nil {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// rootLayer is what the static base holds, like distroless/static: a
// nonroot user, CA certificates, a writable /tmp.
func Rootlayer(t testing.TB) v1.Layer {
	t.Helper()
	ca, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		t.Fatalf("CA certificates for the base image: %v", err)
	}
	return layer(t, []entry{
		{name: "etc/", mode: 0o755},
		{name: "etc/passwd", mode: 0o644, data: []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{name: "etc/group", mode: 0o644, data: []byte("root:x:0:\nnonroot:x:65532:\n")},
		{name: "etc/ssl/", mode: 0o755},
		{name: "etc/ssl/certs/", mode: 0o755},
		{name: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, data: ca},
		{name: "home/", mode: 0o755},
		{name: "home/nonroot/", mode: 0o700, uid: 65532},
		{name: "tmp/", mode: 0o1777},
	})
}

// image makes a base image for one platform from layers, running as
// 65532 like chainguard's static.
func image(t testing.TB, arch string, layers ...v1.Layer) v1.Image {
	t.Helper()
	// An OCI config media type: with Docker's, the index descriptor gets an
	// artifactType and ko takes the platform for an attachment and skips it.
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.AppendLayers(base, layers...)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	cf.Config.User = "65532"
	cf.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// push writes images (one per platform, an index if several) and returns
// the reference by digest.
func push(t testing.TB, reg, repo string, imgs ...v1.Image) string {
	t.Helper()
	ref, err := name.ParseReference(reg + "/" + repo + ":base")
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) == 1 {
		if err := remote.Write(ref, imgs[0]); err != nil {
			t.Fatal(err)
		}
		d, _ := imgs[0].Digest()
		return ref.Context().Digest(d.String()).String()
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, img := range imgs {
		cf, _ := img.ConfigFile()
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: cf.OS, Architecture: cf.Architecture}}})
	}
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	return ref.Context().Digest(d.String()).String()
}

// Bases pushes the three bases .ko.yaml names and returns them: static
// (amd64 and arm64), terraform (this machine's real terraform binary) and
// ansible-lint (Debian's, in a debootstrap root filesystem). The tool
// bases are amd64 only: this machine has no arm64 terraform or Debian.
func Bases(t testing.TB, reg, root string) (static, terraform, ansible string) {
	t.Helper()
	base := Rootlayer(t)
	static = push(t, reg, "bases/static", image(t, "amd64", base), image(t, "arm64", base))

	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatalf("the terraform-validate base carries the real terraform: %v", err)
	}
	tfBin, err := os.ReadFile(tf)
	if err != nil {
		t.Fatal(err)
	}
	tfLayer := layer(t, []entry{{name: "usr/", mode: 0o755}, {name: "usr/local/", mode: 0o755}, {name: "usr/local/bin/", mode: 0o755},
		{name: "usr/local/bin/terraform", mode: 0o755, data: tfBin}})
	terraform = push(t, reg, "bases/terraform", image(t, "amd64", base, tfLayer))

	// The cached root filesystem is named after the script that built it:
	// a change to what the base carries builds it anew.
	script, err := os.ReadFile(filepath.Join(root, "hack", "bases.sh"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(script)
	rootfs := filepath.Join(root, "build", "bases", fmt.Sprintf("ansible-lint-rootfs-%x.tar", sum[:6]))
	if _, err := os.Stat(rootfs); err != nil {
		cmd := exec.Command(filepath.Join(root, "hack", "bases.sh"), rootfs)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("hack/bases.sh (debootstrap, needs root): %v\n%s", err, out)
		}
	}
	al, err := tarball.LayerFromFile(rootfs)
	if err != nil {
		t.Fatal(err)
	}
	ansible = push(t, reg, "bases/ansible-lint", image(t, "amd64", al))
	return static, terraform, ansible
}

// File is one entry of the layer Derive adds; a nil Data is a directory.
type File struct {
	Name string
	Mode int64
	Data []byte
}

// Derive pushes ref: the image baseRef with one more layer holding files
// (owned by root), and returns it by digest.
func Derive(t testing.TB, baseRef, ref string, files ...File) string {
	t.Helper()
	base, err := name.ParseReference(baseRef)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(base)
	if err != nil {
		t.Fatalf("derive from %s: %v", baseRef, err)
	}
	entries := make([]entry, len(files))
	for i, f := range files {
		entries[i] = entry{name: f.Name, mode: f.Mode, data: f.Data}
	}
	img, err = mutate.AppendLayers(img, layer(t, entries))
	if err != nil {
		t.Fatal(err)
	}
	to, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(to, img); err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
	d, _ := img.Digest()
	return to.Context().Digest(d.String()).String()
}

// Index pushes reg/repo:base, an index of the amd64 image of amd64Ref and
// the arm64 image of arm64Ref (each an image or an index), and returns it
// by digest: a base whose local stand-in exists for one platform only.
func Index(t testing.TB, reg, repo, amd64Ref, arm64Ref string) string {
	t.Helper()
	var imgs []v1.Image
	for _, p := range []struct{ arch, ref string }{{"amd64", amd64Ref}, {"arm64", arm64Ref}} {
		r, err := name.ParseReference(p.ref)
		if err != nil {
			t.Fatal(err)
		}
		img, err := remote.Image(r, remote.WithPlatform(v1.Platform{OS: "linux", Architecture: p.arch}))
		if err != nil {
			t.Fatalf("%s for linux/%s: %v", p.ref, p.arch, err)
		}
		if cf, err := img.ConfigFile(); err != nil || cf.Architecture != p.arch {
			t.Fatalf("%s has no linux/%s image", p.ref, p.arch)
		}
		imgs = append(imgs, img)
	}
	return push(t, reg, repo, imgs...)
}

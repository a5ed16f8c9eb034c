package main

import (
	"archive/tar"
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"sigs.k8s.io/yaml"
)

// Every object is labelled as install's; a ClusterRoleBinding points at
// the namespace installed into, under a name of its own there.
func TestLabel(t *testing.T) {
	stream := `# a comment
apiVersion: v1
kind: ServiceAccount
metadata:
  name: plumbline
---
# only a comment
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: plumbline-triggers-eventlistener
  labels: {keep: me}
subjects:
  - kind: ServiceAccount
    name: plumbline-triggers
    namespace: plumbline
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: x}
`
	for _, tc := range []struct{ ns, crb string }{{"plumbline", "plumbline-triggers-eventlistener"}, {"ci", "plumbline-triggers-eventlistener-ci"}} {
		o := &options{namespace: tc.ns}
		out, err := o.label([]byte(stream))
		if err != nil {
			t.Fatal(err)
		}
		docs := strings.Split(strings.TrimPrefix(string(out), "---\n"), "---\n")
		if len(docs) != 2 {
			t.Fatalf("%d documents:\n%s", len(docs), out)
		}
		var crb struct {
			Metadata struct {
				Name   string            `json:"name"`
				Labels map[string]string `json:"labels"`
			} `json:"metadata"`
			Subjects []map[string]string `json:"subjects"`
		}
		if err := yaml.Unmarshal([]byte(docs[1]), &crb); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"keep": "me", labelPartOf: "plumbline", labelInstalled: installedBy}
		if diff := cmp.Diff(want, crb.Metadata.Labels); diff != "" || crb.Metadata.Name != tc.crb || crb.Subjects[0]["namespace"] != tc.ns {
			t.Errorf("%s: %s %v %s", tc.ns, crb.Metadata.Name, crb.Subjects, diff)
		}
		if !strings.Contains(docs[0], labelInstalled+": "+installedBy) {
			t.Errorf("the ServiceAccount is not labelled:\n%s", docs[0])
		}
	}
}

// The archive holds the pushed images byte for byte (same digests), each
// named for containerd.
func TestArchive(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	images := map[string]string{}
	digests := map[string]string{}
	for _, n := range []string{"report", "policy-check"} {
		img, _ := random.Image(1024, 2)
		ref, _ := name.ParseReference(host + "/plumbline/" + n + ":x")
		if err := remote.Write(ref, img); err != nil {
			t.Fatal(err)
		}
		d, _ := img.Digest()
		images[n] = host + "/plumbline/" + n + "@" + d.String()
		digests[localRepo+"/"+n+":1.0"] = d.String()
		digests[localRepo+"/"+n+"@"+d.String()] = d.String()
	}
	file := filepath.Join(t.TempDir(), "images.tar")
	if err := writeArchive(file, images, localRepo, "1.0"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f, _ := os.Open(file)
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, h.Name)
		if h.Typeflag == tar.TypeDir {
			os.MkdirAll(p, 0o755)
			continue
		}
		os.MkdirAll(filepath.Dir(p), 0o755)
		b, _ := io.ReadAll(tr)
		os.WriteFile(p, b, 0o644)
	}
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := idx.IndexManifest()
	got := map[string]string{}
	for _, d := range m.Manifests {
		got[d.Annotations["io.containerd.image.name"]] = d.Digest.String()
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		if dg, _ := img.Digest(); dg != d.Digest {
			t.Errorf("%s: the layout's image has digest %s", d.Digest, dg)
		}
	}
	if diff := cmp.Diff(digests, got); diff != "" {
		b, _ := json.Marshal(m)
		t.Errorf("names and digests (-want +got):\n%s\n%s", diff, b)
	}
}

// An archive installs onto a registry with no Go or ko: each image of its
// layout pushed once under the repository given, by the same digest, and
// the YAML renamed to it. A tar naming a path outside the archive, or
// something other than a file, is refused.
func TestFromArchiveToRegistry(t *testing.T) {
	src := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer src.Close()
	dst := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer dst.Close()
	host := strings.TrimPrefix(src.URL, "http://")
	img, _ := random.Image(1024, 2)
	ref, _ := name.ParseReference(host + "/plumbline/report:x")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	top := t.TempDir()
	if err := writeArchive(filepath.Join(top, distImages), map[string]string{"report": host + "/plumbline/report@" + d.String()}, localRepo, "1.0"); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(top, "yaml"), 0o755)
	os.WriteFile(filepath.Join(top, distYAML), []byte("image: "+localRepo+"/report@"+d.String()+"\n"), 0o644)
	os.WriteFile(filepath.Join(top, distPlatform), []byte("linux/amd64\n"), 0o644)

	repo := strings.TrimPrefix(dst.URL, "http://") + "/mirror"
	var out strings.Builder
	o := &options{from: top, mode: "registry", repo: repo, version: "1.0", out: &out}
	yamlOut, err := o.fromArchive(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := "image: " + repo + "/report@" + d.String(); !strings.Contains(string(yamlOut), want) {
		t.Errorf("YAML %q, want %q", yamlOut, want)
	}
	pushedRef, err := name.ParseReference(repo + "/report@" + d.String())
	if err != nil {
		t.Fatal(err)
	}
	pushed, err := remote.Image(pushedRef)
	if err != nil {
		t.Fatalf("the image is not in the registry by its digest: %v", err)
	}
	if pd, _ := pushed.Digest(); pd != d {
		t.Errorf("pushed %s, want %s", pd, d)
	}
	if strings.Count(out.String(), "push ") != 1 {
		t.Errorf("pushed more than once:\n%s", out.String())
	}

	for _, h := range []*tar.Header{
		{Name: "../escape", Typeflag: tar.TypeReg, Size: 1},
		{Name: "link", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"},
	} {
		file := filepath.Join(t.TempDir(), "bad.tar")
		f, _ := os.Create(file)
		tw := tar.NewWriter(f)
		tw.WriteHeader(h)
		if h.Size > 0 {
			tw.Write([]byte("x"))
		}
		tw.Close()
		f.Close()
		if err := untar(file, t.TempDir()); err == nil {
			t.Errorf("%s (%c) unpacked", h.Name, h.Typeflag)
		}
	}
}

// The same tree gives the same archive, byte for byte: a release can be
// rebuilt and compared.
func TestTarGzReproducible(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "bin"), 0o755)
	os.WriteFile(filepath.Join(dir, "bin", "x"), []byte("binary"), 0o755)
	os.WriteFile(filepath.Join(dir, "PLATFORM"), []byte("linux/amd64\n"), 0o644)
	a, err := tarGz(dir, "p", filepath.Join(t.TempDir(), "a.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, "bin", "x"), now, now)
	b, err := tarGz(dir, "p", filepath.Join(t.TempDir(), "b.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("two archives of one tree: %s and %s", a, b)
	}
}

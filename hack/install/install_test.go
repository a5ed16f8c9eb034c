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

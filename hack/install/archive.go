package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// localRegistry is a registry on loopback inside this process: ko pushes
// to it, the archive is read from it, and it is gone when install ends.
type localRegistry struct {
	addr string
	srv  *http.Server
}

func startRegistry() (*localRegistry, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: registry.New(registry.Logger(log.New(io.Discard, "", 0)))}
	go srv.Serve(l)
	return &localRegistry{addr: l.Addr().String(), srv: srv}, nil
}

func (r *localRegistry) Close() { r.srv.Close() }

// writeArchive writes the images (local name -> pushed reference) as one
// OCI image layout in a tar, as ctr imports it: each manifest listed under
// the names containerd gives it. The manifests are the pushed ones, byte
// for byte, so the digests stay ko's.
func writeArchive(file string, images map[string]string, repo, version string) error {
	dir, err := os.MkdirTemp("", "plumbline-layout-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	for _, n := range sortedKeys(images) {
		ref, err := name.ParseReference(images[n])
		if err != nil {
			return err
		}
		img, err := remote.Image(ref)
		if err != nil {
			return fmt.Errorf("read %s back: %w", ref, err)
		}
		digest, err := img.Digest()
		if err != nil {
			return err
		}
		// Twice: as REPO/NAME:VERSION, for people, and as
		// REPO/NAME@DIGEST, the name the YAML uses and the kubelet looks
		// up (ctr's --digests would make import-DATE@DIGEST instead).
		for _, local := range []string{repo + "/" + n + ":" + version, repo + "/" + n + "@" + digest.String()} {
			if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{
				"io.containerd.image.name":          local,
				"org.opencontainers.image.ref.name": version,
			})); err != nil {
				return err
			}
		}
	}
	return tarDir(dir, file)
}

// tarDir writes dir as a plain tar (the OCI layout ctr imports).
func tarDir(dir, file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	err = writeTar(f, dir, "")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

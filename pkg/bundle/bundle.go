// Package bundle builds Tekton bundles: OCI images that carry Tasks and
// Pipelines, one object per layer, for Tekton's bundles resolver.
//
// The contract (TEP-0005, checked by the resolver): at most 20 layers;
// each layer annotated with dev.tekton.image.apiVersion,
// dev.tekton.image.kind (lowercase, singular) and dev.tekton.image.name;
// each layer a tar holding the object. Layers are gzip (the resolver
// cannot read zstd) and built with fixed timestamps in the order given,
// so the same objects give the same digest.
package bundle

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"gopkg.in/yaml.v3"
)

// The layer annotations Tekton's bundles resolver reads.
const (
	AnnotationAPIVersion = "dev.tekton.image.apiVersion"
	AnnotationKind       = "dev.tekton.image.kind"
	AnnotationName       = "dev.tekton.image.name"
)

// MaxObjects is the resolver's limit on objects (layers) per bundle.
const MaxObjects = 20

// Object is one Tekton object as YAML, with what the annotations need.
type Object struct {
	APIVersion, Kind, Name string
	YAML                   []byte
}

// Parse reads the identity of one Tekton object from its YAML.
func Parse(data []byte) (Object, error) {
	var head struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
	}
	if err := yaml.Unmarshal(data, &head); err != nil {
		return Object{}, fmt.Errorf("parse object: %w", err)
	}
	if head.APIVersion == "" || head.Kind == "" || head.Metadata.Name == "" {
		return Object{}, errors.New("object needs apiVersion, kind and metadata.name")
	}
	return Object{APIVersion: head.APIVersion, Kind: head.Kind, Name: head.Metadata.Name, YAML: data}, nil
}

// Build makes a bundle image from objects, one layer each, in order.
func Build(objs []Object) (v1.Image, error) {
	if len(objs) == 0 || len(objs) > MaxObjects {
		return nil, fmt.Errorf("a bundle holds 1 to %d objects, not %d", MaxObjects, len(objs))
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	seen := map[string]bool{}
	for _, o := range objs {
		kind := strings.ToLower(o.Kind)
		if seen[kind+"/"+o.Name] {
			return nil, fmt.Errorf("%s %s is in the bundle twice", kind, o.Name)
		}
		seen[kind+"/"+o.Name] = true
		layer, err := tarLayer(kind+"-"+o.Name+".yaml", o.YAML)
		if err != nil {
			return nil, err
		}
		img, err = mutate.Append(img, mutate.Addendum{
			Layer:     layer,
			MediaType: types.OCILayer,
			Annotations: map[string]string{
				AnnotationAPIVersion: o.APIVersion,
				AnnotationKind:       kind,
				AnnotationName:       o.Name,
			},
		})
		if err != nil {
			return nil, fmt.Errorf("add %s %s: %w", kind, o.Name, err)
		}
	}
	return img, nil
}

// tarLayer is a gzip layer holding one file with fixed metadata.
func tarLayer(name string, data []byte) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(data); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

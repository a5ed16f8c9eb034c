package bundle

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	pipelinev1beta1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1beta1"
	tektonbundle "github.com/tektoncd/pipeline/pkg/resolution/resolver/bundle"
	"knative.dev/pkg/apis"
	"sigs.k8s.io/yaml"
)

func shipped(t *testing.T) []Object {
	t.Helper()
	var objs []Object
	for _, pattern := range []string{"../../tasks/*.yaml", "../../pipelines/*.yaml", "../../stepactions/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			o, err := Parse(data)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			objs = append(objs, o)
		}
	}
	if len(objs) < 7 {
		t.Fatalf("only %d objects", len(objs))
	}
	return objs
}

// TestResolverReadsOurBundle pushes a bundle of every shipped Task,
// Pipeline and StepAction to an in-process registry and reads each back with Tekton's own
// bundles resolver code, then validates it with Tekton's own validation.
func TestResolverReadsOurBundle(t *testing.T) {
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	objs := shipped(t)
	img, err := Build(objs)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(strings.TrimPrefix(srv.URL, "http://") + "/plumbline/bundle:0.1")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, o := range objs {
		entry, err := tektonbundle.GetEntry(ctx, authn.DefaultKeychain, tektonbundle.RequestOptions{
			Bundle: ref.String(), EntryName: o.Name, Kind: strings.ToLower(o.Kind)})
		if err != nil {
			t.Fatalf("%s %s: %v", o.Kind, o.Name, err)
		}
		if string(entry.Data()) != string(o.YAML) {
			t.Errorf("%s: the resolver read back different bytes", o.Name)
		}
		var v apis.Validatable
		switch o.Kind {
		case "Task":
			var task pipelinev1.Task
			err = yaml.UnmarshalStrict(entry.Data(), &task)
			task.SetDefaults(ctx)
			v = &task
		case "Pipeline":
			var p pipelinev1.Pipeline
			err = yaml.UnmarshalStrict(entry.Data(), &p)
			p.SetDefaults(ctx)
			v = &p
		case "StepAction":
			var sa pipelinev1beta1.StepAction
			err = yaml.UnmarshalStrict(entry.Data(), &sa)
			sa.SetDefaults(ctx)
			v = &sa
		default:
			t.Fatalf("unexpected kind %s", o.Kind)
		}
		if err != nil {
			t.Fatalf("%s: %v", o.Name, err)
		}
		if verr := v.Validate(apis.WithinCreate(ctx)); verr != nil {
			t.Errorf("%s: %v", o.Name, verr)
		}
	}
	// A kind the resolver asks for in another case still matches; a wrong
	// name does not.
	if _, err := tektonbundle.GetEntry(ctx, authn.DefaultKeychain, tektonbundle.RequestOptions{
		Bundle: ref.String(), EntryName: "nope", Kind: "task"}); err == nil {
		t.Error("a missing entry resolved")
	}
}

// TestReproducible: the same objects give the same digest; the layout
// follows the contract.
func TestReproducible(t *testing.T) {
	objs := shipped(t)
	a, _ := Build(objs)
	b, _ := Build(objs)
	da, _ := a.Digest()
	db, _ := b.Digest()
	if da != db {
		t.Fatalf("digests differ: %s %s", da, db)
	}
	m, _ := a.Manifest()
	if len(m.Layers) != len(objs) {
		t.Fatalf("%d layers for %d objects", len(m.Layers), len(objs))
	}
	for i, l := range m.Layers {
		if l.Annotations[AnnotationKind] != strings.ToLower(objs[i].Kind) || l.Annotations[AnnotationName] != objs[i].Name ||
			l.Annotations[AnnotationAPIVersion] != objs[i].APIVersion {
			t.Errorf("layer %d annotations %v", i, l.Annotations)
		}
		if strings.Contains(string(l.MediaType), "zstd") {
			t.Errorf("layer %d is %s", i, l.MediaType)
		}
	}
}

func TestLimits(t *testing.T) {
	o, _ := Parse([]byte("apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: a\n"))
	many := make([]Object, MaxObjects+1)
	for i := range many {
		many[i] = o
		many[i].Name = strings.Repeat("a", i+1)
	}
	if _, err := Build(many); err == nil {
		t.Error("21 objects built")
	}
	if _, err := Build([]Object{o, o}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := Parse([]byte("kind: Task\n")); err == nil {
		t.Error("object without apiVersion and name parsed")
	}
}

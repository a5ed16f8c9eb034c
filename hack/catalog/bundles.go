package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/plumbline/plumbline/pkg/bundle"
)

// Bundles pushes one Tekton bundle per name among the catalog items of a
// version, to REPO/bundles/NAME:VERSION, next to the images. A check's Task
// and its StepAction share a name, so they share a bundle (the bundles
// resolver finds an entry by kind and name): pushed one by one, the second
// would replace the first.
func Bundles(out, version, repo string) ([]string, error) {
	if !versionRE.MatchString(version) || repo == "" {
		return nil, errors.New("bundles needs -version X.Y and -repo REGISTRY/REPO")
	}
	files, err := filepath.Glob(filepath.Join(out, "*", "*", version, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no catalog items of version %s in %s (make catalog first)", version, out)
	}
	byName := map[string][]bundle.Object{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		obj, err := bundle.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		byName[obj.Name] = append(byName[obj.Name], obj)
	}
	var pushed []string
	for _, n := range slices.Sorted(maps.Keys(byName)) {
		img, err := bundle.Build(byName[n])
		if err != nil {
			return pushed, fmt.Errorf("bundle %s: %w", n, err)
		}
		ref, err := name.ParseReference(fmt.Sprintf("%s/bundles/%s:%s", repo, n, version))
		if err != nil {
			return pushed, err
		}
		if err := remote.Write(ref, img, remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
			return pushed, fmt.Errorf("push %s: %w", ref, err)
		}
		d, _ := img.Digest()
		pushed = append(pushed, ref.Context().String()+":"+version+"@"+d.String())
	}
	return pushed, nil
}

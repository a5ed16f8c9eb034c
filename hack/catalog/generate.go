package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/plumbline/plumbline/hack/tektoncheck"
	"github.com/sigstore/sigstore/pkg/signature"
	"sigs.k8s.io/yaml"
)

var (
	versionRE  = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)
	koRef      = regexp.MustCompile(`ko://` + regexp.QuoteMeta(tektoncheck.Module) + `/images/([a-z0-9-]+)`)
	versionTag = regexp.MustCompile(`(?m)^(\s*app\.kubernetes\.io/version:\s*)"?[^"\n]*"?\s*$`)
	yamlBlock  = regexp.MustCompile("(?s)```yaml\n(.*?)```")
)

// Item is one Task, Pipeline or StepAction of the repository.
type Item struct {
	Kind   string // task, pipeline or stepaction
	Name   string // metadata.name
	Source string // tasks/report.yaml
	Usage  string // tasks/report.md: the hand-written usage section
	YAML   []byte
}

// Items lists the Tasks, Pipelines and StepActions to publish.
func Items(root string) ([]Item, error) {
	var items []Item
	for _, dir := range []string{"tasks", "pipelines", "stepactions"} {
		files, err := filepath.Glob(filepath.Join(root, dir, "*.yaml"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			var head struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal(data, &head); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			rel, _ := filepath.Rel(root, f)
			items = append(items, Item{Kind: strings.ToLower(head.Kind), Name: head.Metadata.Name, Source: rel,
				Usage: strings.TrimSuffix(f, ".yaml") + ".md", YAML: data})
		}
	}
	return items, nil
}

// readRefs reads ko's --image-refs output: one REPO/NAME@sha256:… a line
// (ko build -B names each image after its directory).
func readRefs(file string) (map[string]string, error) {
	if file == "" {
		return nil, errors.New("-refs FILE is required (make images writes it)")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	refs := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		ref := strings.TrimSpace(sc.Text())
		if ref == "" {
			continue
		}
		repo, digest, ok := strings.Cut(ref, "@sha256:")
		if !ok || len(digest) != 64 {
			return nil, fmt.Errorf("%s: %q is not pinned by digest", file, ref)
		}
		// ko lists a multi-platform image's index first, then each
		// platform's image: the index is what Tasks pin.
		if n := repo[strings.LastIndexByte(repo, '/')+1:]; refs[n] == "" {
			refs[n] = ref
		}
	}
	return refs, nil
}

// Generate writes catalog/<kind>/<name>/<version>/ for every item: the
// YAML with each ko:// image replaced by its pinned reference and the
// version label set, a README, samples/ and tests/run.yaml. A version that
// exists is never written again.
func Generate(root, out, version string, images map[string]string, opts ...Option) ([]string, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if !versionRE.MatchString(version) {
		return nil, fmt.Errorf("version %q: want X.Y (a catalog version directory)", version)
	}
	items, err := Items(root)
	if err != nil {
		return nil, err
	}
	changes, err := loadChanges(root)
	if err != nil {
		return nil, err
	}
	key, err := releaseKey(root)
	if err != nil {
		return nil, err
	}
	var written []string
	// Artifact Hub adds each kind's directory as a repository of its own
	// (Tekton tasks, pipelines, stepactions), its metadata file at its root.
	for _, kind := range []string{"task", "pipeline", "stepaction"} {
		if !slices.ContainsFunc(items, func(it Item) bool { return it.Kind == kind }) {
			continue
		}
		repoFile := filepath.Join(out, kind, RepoFile)
		if exists(repoFile) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(repoFile), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(repoFile, []byte(repoMetadata), 0o644); err != nil {
			return nil, err
		}
		written = append(written, repoFile)
	}
	for _, it := range items {
		dir := filepath.Join(out, it.Kind, it.Name, version)
		if _, err := os.Stat(dir); err == nil {
			return written, fmt.Errorf("%s exists: a released version never changes; use a new version", dir)
		}
		text, err := pin(it, version, images)
		if err != nil {
			return written, err
		}
		if text, err = artifactHub(it, version, text, changes[version], key); err != nil {
			return written, err
		}
		if o.signer != nil {
			if text, err = signYAML(it.Kind, text, o.signer); err != nil {
				return written, fmt.Errorf("%s: sign: %w", it.Source, err)
			}
		}
		usage, err := os.ReadFile(it.Usage)
		if err != nil {
			return written, fmt.Errorf("%s: the hand-written usage section %s is missing", it.Source, it.Usage)
		}
		sample := yamlBlock.FindSubmatch(usage)
		if sample == nil {
			return written, fmt.Errorf("%s: no ```yaml sample run in it", it.Usage)
		}
		readme, err := README(it, text, version, string(usage))
		if err != nil {
			return written, err
		}
		files := map[string][]byte{
			it.Name + ".yaml":                  text,
			"README.md":                        []byte(readme),
			"samples/" + it.Name + "-run.yaml": sample[1],
			"tests/run.yaml":                   sample[1],
		}
		for _, name := range slices.Sorted(maps.Keys(files)) {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return written, err
			}
			if err := os.WriteFile(p, files[name], 0o644); err != nil {
				return written, err
			}
			written = append(written, p)
		}
	}
	return written, nil
}

type options struct{ signer signature.Signer }

// Option changes what Generate writes.
type Option func(*options)

// WithSigner signs every Task and Pipeline for Tekton's trusted resources.
func WithSigner(s signature.Signer) Option { return func(o *options) { o.signer = s } }

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// pin replaces ko:// references with digests and sets the version label.
func pin(it Item, version string, images map[string]string) ([]byte, error) {
	var missing []string
	text := koRef.ReplaceAllFunc(it.YAML, func(m []byte) []byte {
		name := string(koRef.FindSubmatch(m)[1])
		ref, ok := images[name]
		if !ok {
			missing = append(missing, name)
			return m
		}
		return []byte(ref)
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: no pinned image for %s (run make images first)", it.Source, strings.Join(missing, ", "))
	}
	if !versionTag.Match(text) {
		return nil, fmt.Errorf("%s: no app.kubernetes.io/version label", it.Source)
	}
	return versionTag.ReplaceAll(text, []byte(`${1}"`+version+`"`)), nil
}

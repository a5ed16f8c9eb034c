package main

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// What Artifact Hub reads besides the Tekton layout and annotations
// (https://artifacthub.io/docs/topics/annotations/tekton/): the
// artifacthub.io/* annotations on every item, and artifacthub-repo.yml at
// the catalog's root.
const (
	repoURL    = "https://github.com/plumbline/plumbline"
	license    = "Apache-2.0"
	category   = "integration-delivery"
	maintainer = "Plumbline maintainers"
	// RepoFile is Artifact Hub's repository metadata file.
	RepoFile = "artifacthub-repo.yml"
	// RuleArtifactHub is a problem with that metadata.
	RuleArtifactHub = "artifacthub"
)

var (
	ahCategories  = []string{"ai-machine-learning", "database", "integration-delivery", "monitoring-logging", "networking", "security", "storage", "streaming-messaging"}
	ahChangeKinds = []string{"added", "changed", "deprecated", "removed", "fixed", "security"}
	spdxID        = regexp.MustCompile(`^[A-Za-z0-9.+-]+$`)
	annotationsRE = regexp.MustCompile(`(?m)^  annotations:\n`)
	uuidRE        = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// Change is one entry of artifacthub.io/changes.
type Change struct {
	Kind        string `json:"kind"`
	Description string `json:"description"`
}

// Link is one entry of artifacthub.io/links.
type Link struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Maintainer is one entry of artifacthub.io/maintainers.
type Maintainer struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
}

// SignKey is artifacthub.io/signKey: the key that signs the release.
type SignKey struct {
	Fingerprint string `json:"fingerprint"`
	URL         string `json:"url"`
}

// loadChanges reads CHANGES.yaml: catalog version -> what changed in it.
// A version without an entry gets no artifacthub.io/changes.
func loadChanges(root string) (map[string][]Change, error) {
	data, err := os.ReadFile(filepath.Join(root, "CHANGES.yaml"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var changes map[string][]Change
	if err := yaml.UnmarshalStrict(data, &changes); err != nil {
		return nil, fmt.Errorf("CHANGES.yaml: %w", err)
	}
	for v, cs := range changes {
		if msg := checkChanges(cs); msg != "" {
			return nil, fmt.Errorf("CHANGES.yaml: %s: %s", v, msg)
		}
	}
	return changes, nil
}

// releaseKey is the signKey of keys/cosign.pub when the project has one:
// the sha256 of its DER public key, and where to fetch it.
func releaseKey(root string) (*SignKey, error) {
	data, err := os.ReadFile(filepath.Join(root, "keys", "cosign.pub"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("keys/cosign.pub: no PEM block")
	}
	if _, err := x509.ParsePKIXPublicKey(block.Bytes); err != nil {
		return nil, fmt.Errorf("keys/cosign.pub: %w", err)
	}
	sum := sha256.Sum256(block.Bytes)
	return &SignKey{Fingerprint: hex.EncodeToString(sum[:]), URL: repoURL + "/raw/main/keys/cosign.pub"}, nil
}

// artifactHub adds the artifacthub.io annotations to an item's YAML, under
// its metadata.annotations (every item has some: tekton.dev/...); its
// links point at the release's tag, vVERSION.
func artifactHub(it Item, version string, text []byte, changes []Change, key *SignKey) ([]byte, error) {
	block := func(v any) string {
		b, _ := yaml.Marshal(v)
		return "|\n" + indent(string(b), "      ")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "    artifacthub.io/license: %s\n", license)
	fmt.Fprintf(&b, "    artifacthub.io/category: %s\n", category)
	fmt.Fprintf(&b, "    artifacthub.io/links: %s", block([]Link{
		{Name: "source", URL: repoURL + "/blob/v" + version + "/" + it.Source},
		{Name: "documentation", URL: repoURL + "/blob/v" + version + "/" + strings.TrimSuffix(it.Source, ".yaml") + ".md"},
	}))
	fmt.Fprintf(&b, "    artifacthub.io/maintainers: %s", block([]Maintainer{{Name: maintainer}}))
	if len(changes) > 0 {
		fmt.Fprintf(&b, "    artifacthub.io/changes: %s", block(changes))
	}
	if key != nil {
		fmt.Fprintf(&b, "    artifacthub.io/signKey: %s", block(key))
	}
	out, err := addAnnotations(text, b.String())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", it.Source, err)
	}
	return out, nil
}

// addAnnotations inserts lines (already indented) at the top of an item's
// metadata.annotations; every item has some (tekton.dev/...).
func addAnnotations(text []byte, lines string) ([]byte, error) {
	loc := annotationsRE.FindIndex(text)
	if loc == nil {
		return nil, fmt.Errorf("no metadata.annotations to add to")
	}
	out := append([]byte{}, text[:loc[1]]...)
	out = append(out, lines...)
	return append(out, text[loc[1]:]...), nil
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// repoMetadata is artifacthub-repo.yml as make catalog first writes it:
// the owners; the repositoryID comes from Artifact Hub once the catalog
// is added there.
const repoMetadata = `# Artifact Hub's repository metadata: add this directory to Artifact Hub as
# a Tekton repository of its kind (catalog/README.md), then set
# repositoryID to the ID its control panel shows, for the Verified
# publisher label.
owners:
  - name: ` + maintainer + `
`

// checkArtifactHub checks an item's artifacthub.io annotations against
// what Artifact Hub documents; report adds a problem.
func checkArtifactHub(annotations map[string]string, report func(format string, args ...any)) {
	if l := annotations["artifacthub.io/license"]; !spdxID.MatchString(l) {
		report("artifacthub.io/license %q is not an SPDX identifier", l)
	}
	if c := annotations["artifacthub.io/category"]; !slices.Contains(ahCategories, c) {
		report("artifacthub.io/category %q is not one of %s", c, strings.Join(ahCategories, ", "))
	}
	var links []Link
	if err := yaml.UnmarshalStrict([]byte(annotations["artifacthub.io/links"]), &links); err != nil || len(links) == 0 {
		report("artifacthub.io/links: want a list of name and url: %v", err)
	}
	for _, l := range links {
		if u, err := url.Parse(l.URL); l.Name == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			report("artifacthub.io/links: %q %q: want a name and an http(s) url", l.Name, l.URL)
		}
	}
	var maintainers []Maintainer
	if err := yaml.UnmarshalStrict([]byte(annotations["artifacthub.io/maintainers"]), &maintainers); err != nil || len(maintainers) == 0 {
		report("artifacthub.io/maintainers: want a list of name (and email): %v", err)
	}
	for _, m := range maintainers {
		if m.Name == "" {
			report("artifacthub.io/maintainers: an entry without a name")
		}
	}
	if c, ok := annotations["artifacthub.io/changes"]; ok {
		var changes []Change
		if err := yaml.UnmarshalStrict([]byte(c), &changes); err != nil {
			report("artifacthub.io/changes: %v", err)
		} else if msg := checkChanges(changes); msg != "" {
			report("artifacthub.io/changes: %s", msg)
		}
	}
	if k, ok := annotations["artifacthub.io/signKey"]; ok {
		var key SignKey
		if err := yaml.UnmarshalStrict([]byte(k), &key); err != nil || key.Fingerprint == "" || key.URL == "" {
			report("artifacthub.io/signKey: want fingerprint and url: %v", err)
		}
	}
}

func checkChanges(changes []Change) string {
	if len(changes) == 0 {
		return "no changes listed"
	}
	for _, c := range changes {
		if !slices.Contains(ahChangeKinds, c.Kind) {
			return fmt.Sprintf("kind %q is not one of %s", c.Kind, strings.Join(ahChangeKinds, ", "))
		}
		if strings.TrimSpace(c.Description) == "" {
			return "a change without a description"
		}
	}
	return ""
}

// checkRepoFile checks artifacthub-repo.yml: only the keys Artifact Hub
// documents, a UUID repositoryID when there is one, owners with names.
func checkRepoFile(file string, report func(format string, args ...any)) {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		report("no %s at the catalog's root (make catalog writes it)", RepoFile)
		return
	} else if err != nil {
		report("%v", err)
		return
	}
	var repo struct {
		RepositoryID string       `json:"repositoryID,omitempty"`
		Owners       []Maintainer `json:"owners,omitempty"`
		Ignore       []struct {
			Name    string `json:"name"`
			Version string `json:"version,omitempty"`
		} `json:"ignore,omitempty"`
	}
	if err := yaml.UnmarshalStrict(data, &repo); err != nil {
		report("%v", err)
		return
	}
	if repo.RepositoryID != "" && !uuidRE.MatchString(repo.RepositoryID) {
		report("repositoryID %q is not the UUID Artifact Hub shows", repo.RepositoryID)
	}
	for _, o := range repo.Owners {
		if o.Name == "" && o.Email == "" {
			report("an owner without a name or email")
		}
	}
}

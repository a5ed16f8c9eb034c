package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// What an archive holds, relative to its top directory.
const (
	distYAML      = "yaml/plumbline.yaml" // StepActions, Tasks, Pipelines, Triggers
	distGiteaYAML = "yaml/gitea.yaml"     // the Gitea/Forgejo EventListener and interceptor
	distSchedule  = "yaml/schedule.yaml"  // the drift CronJob, its scheduler and state volume
	distImages    = "images.tar"          // the images, one OCI image layout in a tar
	distPlatform  = "PLATFORM"            // os/arch of the binaries and images
)

// distFiles are the YAML each part of an archive is rendered from.
var distFiles = map[string][]string{
	distYAML:      {"stepactions", "tasks", "pipelines", "triggers"},
	distGiteaYAML: {"triggers/gitea", "triggers/forge-interceptor"},
	distSchedule:  {"schedules"},
}

// distBinaries are built into bin/ for laptops and pre-commit's system
// hooks, plumbline-install for the cluster.
var distBinaries = map[string]string{
	"plumbline":          "./cmd/plumbline",
	"plumbline-install":  "./hack/install",
	"terraform-validate": "./images/terraform-validate",
	"ansible-lint-check": "./images/ansible-lint-check",
	"policy-check":       "./images/policy-check",
	"dns-zone-diff":      "./images/dns-zone-diff",
	"report":             "./images/report",
	"forge-interceptor":  "./images/forge-interceptor",
}

// dist writes one archive per platform into o.distDir: the binaries, the
// images as an OCI layout, the YAML naming them plumbline.local/NAME@DIGEST
// and the installer, so a cluster gets Plumbline with kubectl and ctr (or
// a registry) and no Go or ko (docs/install.md).
func (o *options) dist(ctx context.Context) error {
	if !regexp.MustCompile(`^[0-9]+\.[0-9]+(\.[0-9]+)?$`).MatchString(o.version) {
		return fmt.Errorf("-version %q: want X.Y (make dist VERSION=0.1)", o.version)
	}
	platforms := strings.Split(cmpOr(o.platform, "linux/amd64,linux/arm64"), ",")
	dir, err := filepath.Abs(o.distDir)
	if err != nil {
		return err
	}
	o.distDir = dir
	if err := os.MkdirAll(o.distDir, 0o755); err != nil {
		return err
	}
	var sums bytes.Buffer
	for _, p := range platforms {
		osName, arch, ok := strings.Cut(p, "/")
		if !ok || osName != "linux" {
			return fmt.Errorf("-platform %s: want linux/ARCH", p)
		}
		base := fmt.Sprintf("plumbline-%s-%s-%s", o.version, osName, arch)
		top := filepath.Join(o.distDir, base)
		os.RemoveAll(top)
		if err := o.distTree(ctx, top, osName, arch); err != nil {
			return fmt.Errorf("%s: %w", base, err)
		}
		file := top + ".tar.gz"
		sum, err := tarGz(top, base, file)
		if err != nil {
			return err
		}
		fmt.Fprintf(&sums, "%s  %s\n", sum, filepath.Base(file))
		sbom, err := spdx(top, base, o.version, sum)
		if err != nil {
			return err
		}
		if err := os.WriteFile(top+".spdx.json", sbom, 0o644); err != nil {
			return err
		}
		o.say("wrote %s and its SBOM %s", file, filepath.Base(top)+".spdx.json")
	}
	return os.WriteFile(filepath.Join(o.distDir, "SHA256SUMS"), sums.Bytes(), 0o644)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// distTree fills top with one platform's archive.
func (o *options) distTree(ctx context.Context, top, osName, arch string) error {
	for _, d := range []string{"bin", "yaml", "docs"} {
		if err := os.MkdirAll(filepath.Join(top, d), 0o755); err != nil {
			return err
		}
	}
	for _, bin := range slices.Sorted(maps.Keys(distBinaries)) {
		o.say("build bin/%s for %s/%s", bin, osName, arch)
		if _, err := o.sh(ctx, nil, []string{"CGO_ENABLED=0", "GOOS=" + osName, "GOARCH=" + arch}, "go", "build", "-trimpath",
			"-ldflags", "-s -w -X github.com/plumbline/plumbline/pkg/version.Version="+o.version,
			"-o", filepath.Join(top, "bin", bin), distBinaries[bin]); err != nil {
			return err
		}
	}
	reg, err := startRegistry()
	if err != nil {
		return err
	}
	defer reg.Close()
	ko := filepath.Join(o.root, "build", "tools", "ko")
	images := map[string]string{} // local name -> pushed ref
	refRE := regexp.MustCompile(regexp.QuoteMeta(reg.addr+"/plumbline/") + `([a-z0-9-]+)@(sha256:[0-9a-f]{64})`)
	for _, out := range slices.Sorted(maps.Keys(distFiles)) {
		args := []string{"resolve", "-B", "--image-user=65532", "--platform=" + osName + "/" + arch}
		for _, f := range distFiles[out] {
			args = append(args, "-f", f)
		}
		o.say("ko builds the images of %s for %s/%s", out, osName, arch)
		resolved, err := o.sh(ctx, nil, []string{"VERSION=" + o.version, "KO_DOCKER_REPO=" + reg.addr + "/plumbline"}, ko, args...)
		if err != nil {
			return err
		}
		for _, m := range refRE.FindAllSubmatch(resolved, -1) {
			images[string(m[1])] = string(m[0])
		}
		pinned := refRE.ReplaceAll(resolved, []byte(localRepo+"/$1@$2"))
		if err := os.WriteFile(filepath.Join(top, out), pinned, 0o644); err != nil {
			return err
		}
	}
	if err := writeArchive(filepath.Join(top, distImages), images, localRepo, o.version); err != nil {
		return err
	}
	installer := "#!/bin/sh\n# Plumbline " + o.version + ": install, or uninstall, onto the cluster of the current kubeconfig\n" +
		"# (docs/install.md). Needs kubectl; on a node without a registry, k3s ctr or ctr as root.\n" +
		"exec \"$(dirname \"$0\")/bin/plumbline-install\" -from \"$(dirname \"$0\")\" \"$@\"\n"
	if err := os.WriteFile(filepath.Join(top, "install"), []byte(installer), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(top, distPlatform), []byte(osName+"/"+arch+"\n"), 0o644); err != nil {
		return err
	}
	for _, f := range []string{"LICENSE", "README.md", "CHANGES.yaml", "docs/install.md", "docs/quickstart.md", "docs/config.md", "docs/plumbline.md"} {
		data, err := os.ReadFile(filepath.Join(o.root, f))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(top, f), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// spdx is an SPDX 2.3 document for the archive: the binaries of its bin/
// and the Go modules each was built from (their build info, as go version
// -m reads it); the images' own SBOMs are the ones ko attaches.
func spdx(top, name, version, archiveSum string) ([]byte, error) {
	type pkg struct {
		ID       string `json:"SPDXID"`
		Name     string `json:"name"`
		Version  string `json:"versionInfo,omitempty"`
		Download string `json:"downloadLocation"`
		Checksum []any  `json:"checksums,omitempty"`
		External []any  `json:"externalRefs,omitempty"`
	}
	var pkgs []pkg
	var rels []any
	pkgs = append(pkgs, pkg{ID: "SPDXRef-Archive", Name: name + ".tar.gz", Version: version, Download: "NOASSERTION",
		Checksum: []any{map[string]string{"algorithm": "SHA256", "checksumValue": archiveSum}}})
	rels = append(rels, map[string]string{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Archive"})
	seen := map[string]bool{}
	bins, err := os.ReadDir(filepath.Join(top, "bin"))
	if err != nil {
		return nil, err
	}
	for _, b := range bins {
		info, err := buildinfo.ReadFile(filepath.Join(top, "bin", b.Name()))
		if err != nil {
			return nil, fmt.Errorf("bin/%s: %w", b.Name(), err)
		}
		id := "SPDXRef-bin-" + b.Name()
		pkgs = append(pkgs, pkg{ID: id, Name: "bin/" + b.Name(), Version: version, Download: "NOASSERTION"})
		rels = append(rels, map[string]string{"spdxElementId": "SPDXRef-Archive", "relationshipType": "CONTAINS", "relatedSpdxElement": id})
		for _, m := range info.Deps {
			if m.Replace != nil {
				m = m.Replace
			}
			mid := "SPDXRef-go-" + regexp.MustCompile(`[^A-Za-z0-9.-]`).ReplaceAllString(m.Path+"-"+m.Version, "-")
			if !seen[mid] {
				seen[mid] = true
				pkgs = append(pkgs, pkg{ID: mid, Name: m.Path, Version: m.Version, Download: "NOASSERTION",
					External: []any{map[string]string{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
						"referenceLocator": "pkg:golang/" + m.Path + "@" + m.Version}}})
			}
			rels = append(rels, map[string]string{"spdxElementId": id, "relationshipType": "DEPENDS_ON", "relatedSpdxElement": mid})
		}
	}
	doc := map[string]any{
		"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": name,
		"documentNamespace": "https://github.com/plumbline/plumbline/releases/" + name + "-" + archiveSum[:16],
		"creationInfo":      map[string]any{"creators": []string{"Tool: plumbline-install dist"}, "created": created()},
		"packages":          pkgs, "relationships": rels,
	}
	return json.MarshalIndent(doc, "", "  ")
}

// created is SOURCE_DATE_EPOCH when set (a rebuild gives the same SBOM),
// else now.
func created() string {
	t := time.Now()
	if e, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil {
		t = time.Unix(e, 0)
	}
	return t.UTC().Format(time.RFC3339)
}

// tarGz writes dir as a gzipped tar, its entries under prefix/, and
// returns the file's sha256.
func tarGz(dir, prefix, file string) (string, error) {
	f, err := os.Create(file)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	gz := gzip.NewWriter(io.MultiWriter(f, h))
	err = writeTar(gz, dir, prefix)
	for _, c := range []io.Closer{gz, f} {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	return hex.EncodeToString(h.Sum(nil)), err
}

// writeTar writes dir's files and directories as a tar to w, under
// prefix/ (none when empty), in a fixed order and with fixed owners and
// no times, so the same tree gives the same bytes. Anything but a file
// or a directory is refused.
func writeTar(w io.Writer, dir, prefix string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." && prefix == "" {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: filepath.ToSlash(filepath.Join(prefix, rel)), Mode: int64(info.Mode().Perm()), Uname: "root", Gname: "root"}
		switch {
		case d.IsDir():
			hdr.Typeflag, hdr.Name = tar.TypeDir, hdr.Name+"/"
		case info.Mode().IsRegular():
			hdr.Typeflag, hdr.Size = tar.TypeReg, info.Size()
		default:
			return fmt.Errorf("%s: not a file or directory", p)
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(tw, src)
		return err
	})
	if cerr := tw.Close(); err == nil {
		err = cerr
	}
	return err
}

// fromArchive is install's images step from an archive (-from): the YAML
// as rendered, its images imported into containerd from images.tar, or
// pushed from it to -repo and the YAML renamed to them (same digests).
func (o *options) fromArchive(ctx context.Context) ([]byte, error) {
	var yaml []byte
	parts := []string{distYAML}
	if o.gitea {
		parts = append(parts, distGiteaYAML)
	}
	if o.scheduleRepo != "" {
		parts = append(parts, distSchedule)
	}
	for _, p := range parts {
		data, err := os.ReadFile(filepath.Join(o.from, p))
		if err != nil {
			return nil, fmt.Errorf("-from %s: not a Plumbline archive: %w", o.from, err)
		}
		yaml = append(append(yaml, "\n---\n"...), data...)
	}
	archive := filepath.Join(o.from, distImages)
	platform, err := os.ReadFile(filepath.Join(o.from, distPlatform))
	if err != nil {
		return nil, fmt.Errorf("-from %s: not a Plumbline archive: %w", o.from, err)
	}
	if o.mode == "import" {
		arch, err := o.sh(ctx, nil, nil, "kubectl", "get", "nodes", "-o", "jsonpath={.items[0].status.nodeInfo.architecture}")
		if err != nil {
			return nil, fmt.Errorf("the node's architecture: %w", err)
		}
		if want := strings.TrimSpace(string(platform)); want != "linux/"+strings.TrimSpace(string(arch)) {
			return nil, fmt.Errorf("this archive is for %s, the node is linux/%s: unpack the archive for the node's platform", want, arch)
		}
		ctr := strings.Fields(o.ctr)
		o.say("importing the archive's images into the node's containerd (%s)", o.ctr)
		out, err := o.sh(ctx, nil, nil, ctr[0], append(ctr[1:], "-n", "k8s.io", "images", "import", archive)...)
		if err != nil {
			return nil, fmt.Errorf("import (is this the node, as root, and is -ctr right?): %w", err)
		}
		o.out.Write(out)
		return yaml, nil
	}
	dir, err := os.MkdirTemp("", "plumbline-layout-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := untar(archive, dir); err != nil {
		return nil, err
	}
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", archive, err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	pushed := map[string]bool{}
	for _, desc := range m.Manifests {
		local := desc.Annotations["io.containerd.image.name"]
		n, _, ok := strings.Cut(strings.TrimPrefix(local, localRepo+"/"), "@")
		if !ok || pushed[n] {
			continue // each image once, by its digest name
		}
		img, err := idx.Image(desc.Digest)
		if err != nil {
			return nil, err
		}
		ref, err := name.ParseReference(o.repo + "/" + n + ":" + o.version)
		if err != nil {
			return nil, err
		}
		o.say("push %s (%s)", ref, desc.Digest)
		if err := remote.Write(ref, img, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
			return nil, fmt.Errorf("push %s: %w", ref, err)
		}
		pushed[n] = true
	}
	return bytes.ReplaceAll(yaml, []byte(localRepo+"/"), []byte(strings.TrimSuffix(o.repo, "/")+"/")), nil
}

// untar unpacks a tar of plain files and directories into dir, refusing
// any name that would leave it.
func untar(file, dir string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		target := filepath.Join(dir, filepath.FromSlash(hdr.Name))
		if !strings.HasPrefix(target, filepath.Clean(dir)+string(filepath.Separator)) {
			return fmt.Errorf("%s: %q leaves the archive", file, hdr.Name)
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(target, 0o755)
		case tar.TypeReg:
			if err = os.MkdirAll(filepath.Dir(target), 0o755); err == nil {
				var out *os.File
				if out, err = os.Create(target); err == nil {
					_, err = io.Copy(out, tr)
					if cerr := out.Close(); err == nil {
						err = cerr
					}
				}
			}
		default:
			err = fmt.Errorf("%s: %q is not a file or directory", file, hdr.Name)
		}
		if err != nil {
			return err
		}
	}
}

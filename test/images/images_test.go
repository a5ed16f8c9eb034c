package images

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"maps"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"github.com/tektoncd/pipeline/pkg/apis/pipeline/v1alpha1"
	tektonbundle "github.com/tektoncd/pipeline/pkg/resolution/resolver/bundle"
	"sigs.k8s.io/yaml"

	"github.com/plumbline/plumbline/internal/imagetest"
	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/internal/tektonsig"
	"github.com/plumbline/plumbline/pkg/report"
)

// Version stamped into the test images.
const version = "0.1"

// staticBudget is the most a static image may weigh, compressed, base
// included.
const staticBudget = 25 << 20

// What each image runs on the example, beyond its Task's defaults, and
// the exit code its planted mistakes give (1: findings, never 2).
type imageRun struct {
	image  string
	params map[string][]string
}

var runs = []imageRun{
	{"terraform-validate", map[string][]string{"path": {"terraform"}, "offline": {"true"}}},
	{"ansible-lint-check", map[string][]string{"path": {"ansible"}}},
	{"policy-check", nil},
	{"dns-zone-diff", map[string][]string{"live": {"dns-live"}}},
	{"report", nil}, // last: it merges the others' reports
}

var toolImages = []string{"terraform-validate", "ansible-lint-check"}

// platforms returns the image of each platform of ref (one for a single
// image).
func platforms(t *testing.T, ref string) map[string]v1.Image {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(r)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]v1.Image{}
	if !desc.MediaType.IsIndex() {
		img, err := desc.Image()
		if err != nil {
			t.Fatal(err)
		}
		cf, _ := img.ConfigFile()
		out[cf.OS+"/"+cf.Architecture] = img
		return out
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	m, _ := idx.IndexManifest()
	for _, d := range m.Manifests {
		if d.Platform == nil || d.Platform.OS == "unknown" {
			continue // an attestation, not a platform
		}
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		out[d.Platform.OS+"/"+d.Platform.Architecture] = img
	}
	return out
}

func TestImages(t *testing.T) {
	need.Root(t, "the image tests run images under chroot and namespaces and build a Debian base (CI runs them as root)")
	for _, tool := range []string{"unshare", "mount", "qemu-aarch64-static", "debootstrap", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			need.Missing(t, "needs %s (hack/deps.sh installs it): %v", tool, err)
		}
	}
	root, _ := filepath.Abs("../..")
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	reg := strings.TrimPrefix(srv.URL, "http://")

	static, terraform, ansible := imagetest.Bases(t, reg, root)
	// policy-check's base is Tekton's git-init, for plumbline-validate's
	// first step (fetch, then check); nothing fetches here, so the static
	// base stands in for it (test/e2e builds it on git-init).
	koDir := imagetest.KoConfig(t, root, static, terraform, ansible, static)
	refsFile := filepath.Join(t.TempDir(), "images.txt")
	refs := imagetest.MakeImages(t, root, reg, koDir, refsFile, version)
	var names []string
	for _, d := range must(filepath.Glob(filepath.Join(root, "images", "*", "main.go"))) {
		names = append(names, filepath.Base(filepath.Dir(d)))
	}
	if got := slices.Sorted(maps.Keys(refs)); !slices.Equal(got, slices.Sorted(slices.Values(names))) {
		t.Fatalf("make images built %v, images/ has %v", got, names)
	}
	for _, n := range names {
		if _, server := servers[n]; !server && !slices.ContainsFunc(runs, func(r imageRun) bool { return r.image == n }) {
			t.Fatalf("images/%s is not run here: add it to runs (with the params its Task needs on examples/homelab) or servers", n)
		}
	}

	t.Run("reproducible", func(t *testing.T) {
		if again := imagetest.MakeImages(t, root, reg, koDir, filepath.Join(t.TempDir(), "again.txt"), version); !cmp.Equal(refs, again) {
			t.Errorf("a second build gave other digests:\n%s", cmp.Diff(refs, again))
		}
	})

	baseLayers := map[string]bool{}
	for _, b := range []string{static, terraform, ansible} {
		for _, img := range platforms(t, b) {
			for _, l := range must(img.Layers()) {
				baseLayers[must(l.Digest()).String()] = true
			}
		}
	}
	var sizes []string
	t.Run("content", func(t *testing.T) {
		for _, n := range names {
			imgs := platforms(t, refs[n])
			want := []string{"linux/amd64", "linux/arm64"}
			if slices.Contains(toolImages, n) {
				want = []string{"linux/amd64"} // their local bases are amd64 only
			}
			if got := slices.Sorted(maps.Keys(imgs)); !slices.Equal(got, want) {
				t.Errorf("%s: platforms %v, want %v", n, got, want)
			}
			for p, img := range imgs {
				cf := must(img.ConfigFile())
				if !slices.Equal(cf.Config.Entrypoint, []string{"/ko-app/" + n}) || cf.Config.User != "65532" {
					t.Errorf("%s %s: entrypoint %v, user %q", n, p, cf.Config.Entrypoint, cf.Config.User)
				}
				// The StepAction names the entrypoint itself, so that Tekton
				// never reads the image's config from a registry.
				if _, server := servers[n]; !server {
					if sa := imagetest.StepActionOfImage(t, root, n); !slices.Equal(sa.Spec.Command, cf.Config.Entrypoint) {
						t.Errorf("StepAction %s: command %v, the image's entrypoint %v", sa.Name, sa.Spec.Command, cf.Config.Entrypoint)
					}
				}
				var own, all int64
				for _, l := range must(img.Layers()) {
					size := must(l.Size())
					all += size
					if !baseLayers[must(l.Digest()).String()] {
						own += size
					}
				}
				sizes = append(sizes, fmt.Sprintf("%-20s %-12s own layers %5.1f MiB, whole image %6.1f MiB compressed", n, p, float64(own)/(1<<20), float64(all)/(1<<20)))
				if !slices.Contains(toolImages, n) && all > staticBudget {
					t.Errorf("%s %s: %d bytes compressed, over the %d budget", n, p, all, staticBudget)
				}
			}
			// ko attaches an SPDX SBOM to what it pushes, tagged after the digest.
			r := must(name.ParseReference(refs[n]))
			d := r.(name.Digest).DigestStr()
			if _, err := remote.Head(r.Context().Tag(strings.Replace(d, ":", "-", 1) + ".sbom")); err != nil {
				t.Errorf("%s: no SBOM: %v", n, err)
			}
		}
		slices.Sort(sizes)
		t.Logf("sizes:\n%s", strings.Join(sizes, "\n"))
		os.MkdirAll(filepath.Join(root, "build"), 0o755)
		os.WriteFile(filepath.Join(root, "build", "image-sizes.txt"), []byte(strings.Join(sizes, "\n")+"\n"), 0o644)
	})

	// ko resolve, as a user of our Tasks would run it, pins each Task's
	// image param by digest: the same digest make images pushed.
	t.Run("ko resolve", func(t *testing.T) {
		cmd := exec.Command(filepath.Join(root, "build", "tools", "ko"), "resolve", "-B", "--platform=linux/amd64,linux/arm64",
			"-f", filepath.Join(root, "tasks", "policy-check.yaml"), "-f", filepath.Join(root, "tasks", "report.yaml"))
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "KO_DOCKER_REPO="+reg+"/plumbline", "KO_CONFIG_PATH="+koDir, "VERSION="+version)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("ko resolve: %v", err)
		}
		for _, n := range []string{"policy-check", "report"} {
			if !strings.Contains(string(out), "default: "+refs[n]+"\n") {
				t.Errorf("ko resolve did not pin %s to %s:\n%s", n, refs[n], out)
			}
		}
		if strings.Contains(string(out), "ko://") {
			t.Error("ko resolve left a ko:// reference")
		}
	})

	// The catalog pins what make images pushed; each item's bundle is
	// pushed next to the images and read back by Tekton's bundles resolver.
	t.Run("catalog and bundles", func(t *testing.T) {
		cat := filepath.Join(t.TempDir(), "catalog")
		for _, target := range []string{"catalog", "bundles"} {
			cmd := exec.Command("make", "--no-print-directory", target, "VERSION="+version, "IMAGE_REFS="+refsFile,
				"CATALOG="+cat, "KO_DOCKER_REPO="+reg+"/plumbline")
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("make %s: %v\n%s", target, err, out)
			}
		}
		task := string(must(os.ReadFile(filepath.Join(cat, "task", "plumbline-policy-check", version, "plumbline-policy-check.yaml"))))
		if !strings.Contains(task, "default: "+refs["policy-check"]) {
			t.Errorf("the catalog Task does not pin %s", refs["policy-check"])
		}
		items := must(filepath.Glob(filepath.Join(cat, "*", "*", version, "*.yaml")))
		if len(items) < 7 {
			t.Fatalf("catalog items: %v", items)
		}
		for _, item := range items {
			kind, name := filepath.Base(filepath.Dir(filepath.Dir(filepath.Dir(item)))), strings.TrimSuffix(filepath.Base(item), ".yaml")
			entry, err := tektonbundle.GetEntry(context.Background(), authn.DefaultKeychain, tektonbundle.RequestOptions{
				Bundle: reg + "/plumbline/bundles/" + name + ":" + version, EntryName: name, Kind: kind})
			if err != nil {
				t.Errorf("bundles resolver, %s %s: %v", kind, name, err)
				continue
			}
			if string(entry.Data()) != string(must(os.ReadFile(item))) {
				t.Errorf("%s: the bundle holds something else than the catalog file", name)
			}
		}
	})

	// make release signs every image and bundle and attests provenance
	// and SBOM; stock cosign (the pinned build) accepts them with the
	// release's public key, offline, and refuses what was not signed.
	t.Run("release", func(t *testing.T) {
		cosign := filepath.Join(root, "build", "tools", "cosign")
		keys := t.TempDir()
		gen := exec.Command(cosign, "generate-key-pair")
		gen.Dir = keys
		gen.Env = append(os.Environ(), "COSIGN_PASSWORD=test-only")
		if out, err := gen.CombinedOutput(); err != nil {
			t.Fatalf("cosign generate-key-pair: %v\n%s", err, out)
		}
		cat, notes := filepath.Join(t.TempDir(), "catalog"), t.TempDir()
		relRefs := filepath.Join(t.TempDir(), "images.txt")
		cmd := exec.Command("make", "--no-print-directory", "release", "VERSION="+version, "KO_DOCKER_REPO="+reg+"/plumbline",
			"IMAGE_REFS="+relRefs, "CATALOG="+cat)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "KO_CONFIG_PATH="+koDir, "TOOL_PLATFORMS=linux/amd64", "DIST_PLATFORMS=linux/amd64", "RELEASE_DIR="+notes,
			"COSIGN_KEY="+filepath.Join(keys, "cosign.key"), "COSIGN_PASSWORD=test-only", "COSIGN_FLAGS=--allow-http-registry")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make release: %v\n%s", err, out)
		}
		verify := func(args ...string) error {
			args = append([]string{args[0], "--key", filepath.Join(keys, "cosign.pub"), "--insecure-ignore-tlog=true",
				"--allow-http-registry"}, args[1:]...)
			out, err := exec.Command(cosign, args...).CombinedOutput()
			if err != nil {
				return fmt.Errorf("cosign %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			return nil
		}
		text := string(must(os.ReadFile(filepath.Join(notes, "NOTES.md"))))
		for _, n := range names {
			ref := refs[n]
			if !strings.Contains(text, ref) {
				t.Errorf("the release notes do not list %s", ref)
			}
			if err := verify("verify", ref); err != nil {
				t.Error(err)
			}
			for _, typ := range []string{"slsaprovenance1", "spdxjson"} {
				if err := verify("verify-attestation", "--type", typ, ref); err != nil {
					t.Error(err)
				}
			}
		}
		bundle := reg + "/plumbline/bundles/plumbline-policy-check:" + version
		if err := verify("verify", bundle); err != nil {
			t.Error(err)
		}
		// The archive, its SBOM and the checksums, each signed as a blob.
		dist := filepath.Join(root, "build", "dist")
		archive := filepath.Join(dist, "plumbline-"+version+"-linux-amd64.tar.gz")
		for _, f := range []string{archive, strings.TrimSuffix(archive, ".tar.gz") + ".spdx.json", filepath.Join(dist, "SHA256SUMS")} {
			out, err := exec.Command(cosign, "verify-blob", "--key", filepath.Join(keys, "cosign.pub"), "--insecure-ignore-tlog=true",
				"--bundle", f+".sigstore.json", f).CombinedOutput()
			if err != nil {
				t.Errorf("cosign verify-blob %s: %v\n%s", filepath.Base(f), err, out)
			}
		}
		if !strings.Contains(text, "plumbline-"+version+"-linux-amd64.tar.gz") {
			t.Errorf("the release notes do not list the archive")
		}
		var sbom struct {
			Packages []struct{ Name string } `json:"packages"`
		}
		if err := json.Unmarshal(must(os.ReadFile(strings.TrimSuffix(archive, ".tar.gz")+".spdx.json")), &sbom); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range sbom.Packages {
			names = append(names, p.Name)
		}
		if !slices.Contains(names, "bin/plumbline") || !slices.Contains(names, "gopkg.in/yaml.v3") {
			t.Errorf("the archive's SBOM lists %v", names)
		}
		// The catalog's Tasks carry the release's signature for Tekton's
		// trusted resources: Tekton's own VerifyResource, with the
		// VerificationPolicy the release wrote, accepts the Task as the
		// bundles resolver hands it over (its URI) and refuses it changed.
		policy := &v1alpha1.VerificationPolicy{}
		if err := yaml.UnmarshalStrict(must(os.ReadFile(filepath.Join(notes, "verification-policy.yaml"))), policy); err != nil {
			t.Fatalf("verification-policy.yaml: %v", err)
		}
		policy.Namespace = "ci"
		if err := policy.Validate(context.Background()); err != nil {
			t.Fatalf("verification-policy.yaml does not validate: %v", err)
		}
		taskYAML := must(os.ReadFile(filepath.Join(cat, "task", "plumbline-policy-check", version, "plumbline-policy-check.yaml")))
		if !strings.Contains(string(taskYAML), "(error, warning or never)") || !strings.Contains(string(taskYAML), "tekton.dev/signature: ") {
			t.Fatalf("the catalog Task is not signed, or has changed shape:\n%s", taskYAML)
		}
		// The controller's check with the policy's key (tektonsig: the
		// bytes Tekton v1.9.0's controller checksums; e2e TestTrusted has
		// the controller itself verify).
		for _, tc := range []struct {
			yaml string
			want bool
		}{
			{string(taskYAML), true},
			{strings.Replace(string(taskYAML), "(error, warning or never)", "(warning or never)", 1), false},
		} {
			task := &pipelinev1.Task{}
			if err := yaml.Unmarshal([]byte(tc.yaml), task); err != nil {
				t.Fatal(err)
			}
			task.SetDefaults(context.Background()) // as the controller does before it verifies
			err := tektonsig.Verify("Task", &task.ObjectMeta, task.Spec, []byte(policy.Spec.Authorities[0].Key.Data))
			if (err == nil) != tc.want {
				t.Errorf("trusted resources: %v, want it to verify: %v", err, tc.want)
			}
		}
		if !strings.Contains(text, "plumbline-policy-check.yaml") {
			t.Errorf("the release notes list no catalog file's sha256:\n%s", text)
		}
		// Tampered: the bundle's tag moved to other content, and an image
		// nobody signed, pushed next to the release.
		img, _ := random.Image(512, 1)
		for _, ref := range []string{bundle, reg + "/plumbline/report:tampered"} {
			if err := remote.Write(must(name.ParseReference(ref)), img); err != nil {
				t.Fatal(err)
			}
			if err := verify("verify", ref); err == nil {
				t.Errorf("cosign verify accepted %s, which the release did not sign", ref)
			}
		}
	})

	// amd64: each image's filesystem, its entrypoint, its Task's command
	// line, the example repository; the checks find the planted mistakes
	// (exit 1) and write their reports; report merges them.
	amd := newWorld(t, root)
	reportsOf := map[string]*report.Report{}
	for _, r := range runs {
		t.Run("amd64/"+r.image, func(t *testing.T) {
			img := platforms(t, refs[r.image])["linux/amd64"]
			if img == nil {
				t.Fatal("no linux/amd64 image")
			}
			fs := filepath.Join(t.TempDir(), "fs")
			extract(t, img, fs)
			if r.image == "ansible-lint-check" {
				stalePyc(t, fs)
			}
			c := commandOf(t, root, r.image, r.params)
			cf := must(img.ConfigFile())
			code, out := runIn(t, amd, fs, cf.Config.Env, c, r.image, append(cf.Config.Entrypoint, c.args...)...)
			reportsOf[r.image] = checkRun(t, amd, r.image, code, out)
		})
	}
	for n := range servers {
		t.Run("amd64/"+n, func(t *testing.T) { runServer(t, root, platforms(t, refs[n])["linux/amd64"]) })
	}
	merged := reportsOf["report"]
	if merged != nil {
		for _, c := range merged.Checks {
			if c.Status != report.Ran {
				t.Errorf("report: %s %s", c.Tool, c.Status)
			}
		}
	}

	// arm64: the static images under qemu-aarch64-static, same command
	// lines; their reports equal the amd64 ones.
	arm := newWorld(t, root)
	for _, tool := range toolImages {
		data := must(os.ReadFile(filepath.Join(amd.reports, tool+".json")))
		os.WriteFile(filepath.Join(arm.reports, tool+".json"), data, 0o666)
	}
	qemu := must(exec.LookPath("qemu-aarch64-static"))
	for n := range servers {
		t.Run("arm64/"+n, func(t *testing.T) { runServer(t, root, platforms(t, refs[n])["linux/arm64"], qemu) })
	}
	for _, r := range runs {
		if slices.Contains(toolImages, r.image) {
			continue
		}
		t.Run("arm64/"+r.image, func(t *testing.T) {
			img := platforms(t, refs[r.image])["linux/arm64"]
			if img == nil {
				t.Fatal("no linux/arm64 image")
			}
			fs := filepath.Join(t.TempDir(), "fs")
			extract(t, img, fs)
			if out, err := exec.Command("cp", qemu, filepath.Join(fs, "qemu-aarch64-static")).CombinedOutput(); err != nil {
				t.Fatalf("%v %s", err, out)
			}
			c := commandOf(t, root, r.image, r.params)
			cf := must(img.ConfigFile())
			// A chart renders in a copy of the binary, which the kernel
			// here cannot start without qemu either.
			env := append(slices.Clone(cf.Config.Env), "PLUMBLINE_ISOLATE_INTERPRETER=/qemu-aarch64-static")
			code, out := runIn(t, arm, fs, env, c, r.image, append([]string{"/qemu-aarch64-static"}, append(cf.Config.Entrypoint, c.args...)...)...)
			got := checkRun(t, arm, r.image, code, out)
			if want := reportsOf[r.image]; got != nil && want != nil {
				if d := cmp.Diff(want.Findings, got.Findings); d != "" {
					t.Errorf("arm64 findings differ from amd64:\n%s", d)
				}
			}
		})
	}
}

// checkRun wants exit 1 (the example's planted mistakes), a report with
// the stamped version, and Tekton results saying fail.
func checkRun(t *testing.T, w *world, image string, code int, out string) *report.Report {
	t.Helper()
	if code != 1 {
		t.Errorf("%s exited %d, want 1 (findings):\n%s", image, code, out)
	}
	file := filepath.Join(w.reports, image+".json")
	if image == "report" {
		file = filepath.Join(w.reports, "merged", "report.json")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Errorf("%s wrote no report: %v\n%s", image, err, out)
		return nil
	}
	r, err := report.Decode(file, data)
	if err != nil {
		t.Fatal(err)
	}
	if r.Version != version || r.Summary.Errors == 0 {
		t.Errorf("%s: version %q, %d errors", image, r.Version, r.Summary.Errors)
	}
	if status, _ := os.ReadFile(filepath.Join(w.results, image, "status")); string(status) != "fail" {
		t.Errorf("%s: result status %q", image, status)
	}
	// The example's requirements.yml names community.general and
	// ansible.posix: the image carries them (hack/bases.sh), in Debian's
	// versions, older than the >= 8.0.0 the example asks for (planted).
	if image == "ansible-lint-check" || image == "report" {
		older := false
		for _, f := range r.Findings {
			if f.Rule != "ansible/collection-missing" {
				continue
			}
			if strings.Contains(f.Message, "is not installed") {
				t.Errorf("%s: the image lacks a collection it ships: %s", image, f.Message)
			}
			older = older || strings.HasPrefix(f.Message, "collection community.general is installed as 6.6.2 ")
		}
		if !older {
			t.Errorf("%s: no finding that the image's community.general (6.6.2) is older than the example asks", image)
		}
	}
	return r
}

// stalePyc fails for bytecode Python would not use: a .pyc stamped with
// its source's mtime (the layer's mtimes are all 0, so it never matches)
// is compiled again at every start, as UID 65532 cannot write it back.
// Every .pyc of ansible-lint, ansible and the standard library is to be
// an unchecked hash-based one (PEP 552: flags 0b01).
func stalePyc(t *testing.T, fs string) {
	t.Helper()
	n, stale := 0, []string{}
	for _, dir := range []string{"usr/lib/python3/dist-packages/ansiblelint", "usr/lib/python3/dist-packages/ansible", "usr/lib/python3.11"} {
		filepath.WalkDir(filepath.Join(fs, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".pyc") {
				return nil
			}
			f, err := os.Open(p)
			if err != nil {
				return nil
			}
			defer f.Close()
			head := make([]byte, 8)
			if _, err := io.ReadFull(f, head); err != nil {
				return nil
			}
			n++
			if binary.LittleEndian.Uint32(head[4:]) != 1 && len(stale) < 5 {
				stale = append(stale, strings.TrimPrefix(p, fs))
			}
			return nil
		})
	}
	if n < 1000 || len(stale) > 0 {
		t.Errorf("ansible-lint-check: %d .pyc files; ones Python compiles again at every start: %v", n, stale)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

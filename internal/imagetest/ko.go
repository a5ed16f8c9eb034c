package imagetest

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// KoConfig writes a copy of .ko.yaml whose bases are the local ones;
// everything else (builds, flags, platforms) is the file we ship. policy
// stands in for git-init, policy-check's base.
func KoConfig(t testing.TB, root, static, terraform, ansible, policy string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, ".ko.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`(?m)^defaultBaseImage: .*$`).ReplaceAllString(string(data), "defaultBaseImage: "+static)
	text = regexp.MustCompile(`(?m)^(  github.com/plumbline/plumbline/images/terraform-validate:) .*$`).ReplaceAllString(text, "${1} "+terraform)
	text = regexp.MustCompile(`(?m)^(  github.com/plumbline/plumbline/images/ansible-lint-check:) .*$`).ReplaceAllString(text, "${1} "+ansible)
	text = regexp.MustCompile(`(?m)^(  github.com/plumbline/plumbline/images/policy-check:) .*$`).ReplaceAllString(text, "${1} "+policy)
	if strings.Count(text, "127.0.0.1") != 4 {
		t.Fatalf(".ko.yaml changed shape; the bases were not all replaced:\n%s", text)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".ko.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// MakeImages runs `make images` as a maintainer would, against the local
// registry, and returns image name -> reference by digest.
func MakeImages(t testing.TB, root, reg, koDir, refsFile, version string) map[string]string {
	t.Helper()
	cmd := exec.Command("make", "--no-print-directory", "images", "KO_DOCKER_REPO="+reg+"/plumbline", "KO_CONFIG_PATH="+koDir,
		"IMAGE_REFS="+refsFile, "TOOL_PLATFORMS=linux/amd64", "VERSION="+version)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make images: %v\n%s", err, out)
	}
	data, err := os.ReadFile(refsFile)
	if err != nil {
		t.Fatal(err)
	}
	refs := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		ref := sc.Text()
		repo, _, _ := strings.Cut(ref, "@")
		// ko lists a multi-platform image's index first, then each platform.
		if n := repo[strings.LastIndexByte(repo, '/')+1:]; refs[n] == "" {
			refs[n] = ref
		}
	}
	return refs
}

//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	sigyaml "sigs.k8s.io/yaml"
)

// quickstartBlock is one fenced block of docs/quickstart.md and the e2e
// marker before it (<!-- e2e: … -->), if any.
type quickstartBlock struct {
	line         int
	lang, marker string
	text         string
}

func quickstartBlocks(t *testing.T, md string) []quickstartBlock {
	t.Helper()
	var out []quickstartBlock
	var cur *quickstartBlock
	marker := ""
	markerRE := regexp.MustCompile(`^<!-- e2e: (.+) -->$`)
	for i, line := range strings.Split(md, "\n") {
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &quickstartBlock{line: i + 1, lang: strings.TrimPrefix(line, "```"), marker: marker}
		case cur != nil && strings.HasPrefix(line, "```"):
			out = append(out, *cur)
			cur, marker = nil, ""
		case cur != nil:
			cur.text += line + "\n"
		case markerRE.MatchString(line):
			marker = markerRE.FindStringSubmatch(line)[1]
		case strings.TrimSpace(line) != "":
			marker = ""
		}
	}
	return out
}

// TestQuickstart runs every command block of docs/quickstart.md exactly as
// written, in order, on the e2e cluster, as a reader would after make
// install: each must succeed whether or not make install already made
// what it makes (a Secret), and the Secrets end up holding what the guide
// says. A block not meant to run says so, and why, in its marker; one
// without a marker runs. It runs last (its file name), as it reinstalls
// into the quickstart's namespace.
func TestQuickstart(t *testing.T) {
	w := setup(t)
	install(t, w)
	md, err := os.ReadFile(filepath.Join(w.root, "docs", "quickstart.md"))
	if err != nil {
		t.Fatal(err)
	}
	// Blocks run in a directory of their own, so what they write
	// (.git-credentials, the key they read) stays out of the checkout;
	// a make command runs in the checkout, as the guide says.
	work := t.TempDir()
	key := "key \"xfr-key\" {\n\talgorithm hmac-sha256;\n\tsecret \"cGx1bWJsaW5lLXF1aWNrc3RhcnQta2V5LTEyMzQ1Njc=\";\n};\n"
	if err := os.WriteFile(filepath.Join(work, "xfr.key"), []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "GIT_TOKEN=e2e-quickstart-token", "KO_CONFIG_PATH="+w.koDir, "PLATFORM=linux/amd64",
		"CTR=ctr --address "+filepath.Join(w.state, "run", "containerd.sock"))
	ran := 0
	for _, b := range quickstartBlocks(t, string(md)) {
		switch {
		case strings.HasPrefix(b.marker, "skip: "), strings.HasPrefix(b.marker, "TestTkn"), strings.HasPrefix(b.marker, "file"):
			t.Logf("docs/quickstart.md:%d: not run here: %s", b.line, b.marker)
			continue
		case b.marker != "":
			t.Errorf("docs/quickstart.md:%d: unknown e2e marker %q", b.line, b.marker)
			continue
		case b.lang != "" && b.lang != "sh" && b.lang != "bash":
			t.Errorf("docs/quickstart.md:%d: a %s block without a marker: say why it does not run (<!-- e2e: skip: … -->)", b.line, b.lang)
			continue
		}
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", b.text)
		cmd.Dir, cmd.Env = work, env
		if strings.HasPrefix(strings.TrimSpace(b.text), "make ") {
			cmd.Dir = w.root
		}
		out, err := cmd.CombinedOutput()
		t.Logf("docs/quickstart.md:%d:\n%s\n%s", b.line, b.text, tail(string(out), 30))
		if err != nil {
			t.Fatalf("docs/quickstart.md:%d fails as written: %v\n%s", b.line, err, out)
		}
		ran++
	}
	if ran < 4 {
		t.Fatalf("only %d blocks ran", ran)
	}
	// What the guide says the Secrets now hold.
	for secret, keys := range map[string][]string{
		"github-webhook":   {"secret"},
		"plumbline-notify": {"github-token", "webhook-url"},
		"plumbline-git":    {".git-credentials", ".gitconfig"},
		"plumbline-dns":    {"tsig.key", "allowed-hosts"},
	} {
		got := kubectl(t, "", "get", "secret", secret, "-n", ns, "-o", `jsonpath={.data}`)
		for _, k := range keys {
			if !strings.Contains(got, `"`+k+`"`) {
				t.Errorf("secret %s has no %s after the quickstart: %s", secret, k, strings.Join(regexp.MustCompile(`"([^"]+)":`).FindAllString(got, -1), " "))
			}
		}
	}
}

// TestFootprint measures what Tekton itself costs a homelab that budgets
// 1–2 GB for CI: the memory each of its processes on the e2e cluster
// holds after the whole suite ran (resident and peak, from /proc), beside
// the requests and limits its release manifests give those Deployments
// (and the webhooks, which e2e does not run). Written to
// build/e2e/footprint.txt and quoted in docs/quickstart.md.
func TestFootprint(t *testing.T) {
	w := setup(t)
	install(t, w)
	w.listener(t)
	var b strings.Builder
	fmt.Fprintf(&b, "%-40s %10s %10s\n", "process (after the e2e suite)", "RSS MiB", "peak MiB")
	var rss, peak float64
	for _, name := range []string{"tekton-controller", "resolvers", "triggers-controller", "triggers-interceptors", "el-sink-plumbline-github"} {
		pid, err := os.ReadFile(filepath.Join(w.state, "run", name+".pid"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		status, err := os.ReadFile("/proc/" + strings.TrimSpace(string(pid)) + "/status")
		if err != nil {
			t.Errorf("%s is not running: %v", name, err)
			continue
		}
		kb := func(field string) float64 {
			m := regexp.MustCompile(`(?m)^` + field + `:\s+(\d+) kB`).FindSubmatch(status)
			if m == nil {
				return 0
			}
			v, _ := strconv.ParseFloat(string(m[1]), 64)
			return v / 1024
		}
		r, p := kb("VmRSS"), kb("VmHWM")
		rss, peak = rss+r, peak+p
		fmt.Fprintf(&b, "%-40s %10.0f %10.0f\n", name, r, p)
	}
	fmt.Fprintf(&b, "%-40s %10.0f %10.0f\n\n", "total", rss, peak)

	// The requests and limits of the upstream Deployments, as released.
	fmt.Fprintf(&b, "%-60s %12s %12s\n", "Deployment container (release manifests)", "request", "limit")
	var req float64
	for _, mod := range []struct{ upstream, module string }{{"pipeline", "github.com/tektoncd/pipeline"}, {"triggers", "github.com/tektoncd/triggers"}} {
		list := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mod.module)
		list.Dir = filepath.Join(w.root, "test", "e2e", "upstream", mod.upstream)
		dir, err := list.Output()
		if err != nil {
			t.Fatalf("go list %s: %v", mod.module, err)
		}
		files, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(dir)), "config", "*.yaml"))
		more, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(dir)), "config", "*", "*.yaml"))
		for _, f := range append(files, more...) {
			data, _ := os.ReadFile(f)
			for _, doc := range strings.Split(string(data), "\n---") {
				var d appsv1.Deployment
				if sigyaml.Unmarshal([]byte(doc), &d) != nil || d.Kind != "Deployment" {
					continue
				}
				for _, c := range d.Spec.Template.Spec.Containers {
					r, l := c.Resources.Requests.Memory(), c.Resources.Limits.Memory()
					req += float64(r.Value()) / (1 << 20)
					fmt.Fprintf(&b, "%-60s %12s %12s\n", mod.upstream+"/"+d.Name+"/"+c.Name, r.String(), l.String())
				}
			}
		}
	}
	el := kubectl(t, "", "get", "deployment", "el-plumbline-github", "-n", ns, "-o",
		`jsonpath={.spec.template.spec.containers[0].resources.requests.memory} {.spec.template.spec.containers[0].resources.limits.memory}`)
	fmt.Fprintf(&b, "%-60s %s\n", "triggers/el-plumbline-github (made by the Triggers controller)", el)
	fmt.Fprintf(&b, "%-60s %12.0fMi\n", "total requests", req)
	t.Logf("Tekton's footprint:\n%s", b.String())
	if err := os.WriteFile(filepath.Join(w.state, "footprint.txt"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if rss > 1024 {
		t.Errorf("Tekton's processes hold %.0f MiB, over the 1 GiB a small homelab budgets for CI", rss)
	}
}

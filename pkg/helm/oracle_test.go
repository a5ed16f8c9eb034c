package helm

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/need"
)

const corpus = "../../test/corpus/charts"

var oracleValues, _ = os.ReadFile("testdata/oracle-values.yaml")

// readChart reads a chart directory as a caller hands it over.
func readChart(t testing.TB, dir string) []File {
	t.Helper()
	var files []File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if strings.HasSuffix(rel, ".source") {
			return nil // the corpus's provenance, not the chart's
		}
		data, err := os.ReadFile(p)
		files = append(files, File{Name: filepath.ToSlash(rel), Data: data})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// oracleCases are the flags ArgoCD and Flux pass, each tried on every
// chart of the corpus.
var oracleCases = []struct {
	name string
	args []string
	opt  Options
}{
	{"defaults", nil, Options{}},
	{"as ArgoCD", []string{"--name-template", "monitoring", "--namespace", "observability", "--kube-version", "1.31.4",
		"--api-versions", "monitoring.coreos.com/v1", "--include-crds"},
		Options{ReleaseName: "monitoring", Namespace: "observability", KubeVersion: "1.31.4",
			APIVersions: []string{"monitoring.coreos.com/v1"}, IncludeCRDs: true}},
	{"values", []string{"-f", "testdata/oracle-values.yaml", "--set", "replicaCount=2,image.pullPolicy=Always", "--set-string", "podLabels.tier=1"},
		Options{Values: Values{Files: []File{{Name: "testdata/oracle-values.yaml", Data: oracleValues}},
			Set: []string{"replicaCount=2,image.pullPolicy=Always"}, SetString: []string{"podLabels.tier=1"}}}},
	{"as Flux", []string{"--name-template", "app", "--namespace", "apps", "--skip-tests", "--include-crds"},
		Options{ReleaseName: "app", Namespace: "apps", SkipTests: true, IncludeCRDs: true}},
}

// TestMatchesHelmTemplate renders every chart of test/corpus/charts in
// process and with `helm template` (the CLI of the same Helm release,
// built by make tools): the same bytes, or both refusing.
func TestMatchesHelmTemplate(t *testing.T) {
	bin := need.Tool(t, "helm", "v4.3.2")
	charts, err := os.ReadDir(corpus)
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) < 20 {
		t.Fatalf("%d charts in the corpus, want at least 20", len(charts))
	}
	home := t.TempDir()
	// The CLI's default Kubernetes is its client-go's release, as is ours
	// in a binary; a test binary gets Helm's testing default instead, so
	// the defaults case names the CLI's.
	kv, err := exec.Command(bin, "version", "--template", "{{.KubeClientVersion}}").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := "v" + strings.TrimPrefix(string(kv), "v") + ".0"; got != DefaultKubeVersion {
		t.Errorf("helm template's default Kubernetes is %s, DefaultKubeVersion %s", got, DefaultKubeVersion)
	}
	for _, c := range charts {
		dir := filepath.Join(corpus, c.Name())
		files := readChart(t, dir)
		for _, tc := range oracleCases {
			t.Run(c.Name()+"/"+tc.name, func(t *testing.T) {
				var stderr strings.Builder
				cli := func() ([]byte, error) {
					cmd := exec.Command(bin, append([]string{"template", dir}, tc.args...)...)
					cmd.Env = []string{"HOME=" + home, "HELM_CACHE_HOME=" + home, "HELM_CONFIG_HOME=" + home, "HELM_DATA_HOME=" + home}
					stderr.Reset()
					cmd.Stderr = &stderr
					return cmd.Output()
				}
				want, cliErr := cli()
				if cliErr != nil && strings.Contains(stderr.String(), `failing loading "https://`) {
					// The schema refers to one on the web, which this
					// machine cannot reach and we do not fetch: both
					// render without it.
					tc.args = append(tc.args, "--skip-schema-validation")
					want, cliErr = cli()
				}
				ch, err := Load(files)
				var got *Output
				opt := tc.opt
				if opt.KubeVersion == "" {
					opt.KubeVersion = string(kv) + ".0"
				}
				if err == nil {
					got, err = Render(context.Background(), ch, opt)
				}
				if (cliErr != nil) != (err != nil) {
					t.Fatalf("helm template: %v %s\nin process: %v", cliErr, stderr.String(), err)
				}
				if err != nil {
					t.Logf("both refuse: %v", err)
					return
				}
				// A chart may generate a password (randAlphaNum) and
				// checksum it: the lines two runs of the CLI disagree on
				// are compared by count only.
				again, _ := cli()
				w, o := maskRandom(string(want), string(again), got.Manifest)
				if d := cmp.Diff(w, o); d != "" {
					t.Errorf("helm template differs (-cli +ours):\n%s", d)
				}
			})
		}
	}
}

// maskRandom blanks in a and ours the lines where a and b, two runs of
// the CLI, differ; ours keeps its own line count.
func maskRandom(a, b, ours string) (string, string) {
	if a == b {
		return a, ours
	}
	la, lb, lo := strings.Split(a, "\n"), strings.Split(b, "\n"), strings.Split(ours, "\n")
	if len(la) != len(lb) || len(la) != len(lo) {
		return a, ours
	}
	for i := range la {
		if la[i] != lb[i] {
			la[i], lo[i] = "<random>", "<random>"
		}
	}
	return strings.Join(la, "\n"), strings.Join(lo, "\n")
}

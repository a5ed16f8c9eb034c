package corpus

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/pkg/ansiblelint"
	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/kustomize"
	"github.com/plumbline/plumbline/pkg/policy"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/terraform"
)

var update = flag.Bool("update", false, "rewrite precision.tsv: keep every judgement, add new findings as unjudged, drop gone ones")

// run is one check over one repository, as its owner would set it up
// (the paths a .plumbline.yaml would name).
type run struct {
	repo  string
	check func() cli.Check
	args  []string
}

func policyCheck() cli.Check    { return &policy.Check{} }
func terraformCheck() cli.Check { return &terraform.Check{} }
func ansibleCheck() cli.Check   { return &ansiblelint.Check{} }

var runs = []run{
	{"techno-tim+k3s-ansible", policyCheck, nil},
	{"techno-tim+k3s-ansible", ansibleCheck, []string{"."}},
	// The cluster release each names: tuppr's KubernetesUpgrade, the k3s
	// role's k3s_version, the template's Talos kubernetesVersion.
	{"onedr0p+home-ops", policyCheck, []string{"--kubernetes-version=v1.36.4"}},
	{"khuedoan+homelab", policyCheck, []string{"--kubernetes-version=v1.30.4+k3s1"}},
	{"khuedoan+homelab", ansibleCheck, []string{"metal"}},
	{"khuedoan+homelab", terraformCheck, []string{"--offline", "--all-dirs", "external"}},
	// Its podinfo HelmReleases render from a chart cache holding the
	// chart of test/corpus/charts (TestCorpusHelm).
	{"fluxcd+flux2-kustomize-helm-example", policyCheck, []string{chartCacheArg}},
	{"fluxcd+flux2-multi-tenancy", policyCheck, nil},
	{"prometheus-operator+kube-prometheus", policyCheck, nil},
	{"bpg+terraform-provider-proxmox", terraformCheck, []string{"--offline", "--all-dirs", "example"}},
	{"bpg+terraform-provider-proxmox", policyCheck, nil},
	{"Telmate+terraform-provider-proxmox", terraformCheck, []string{"--offline", "--all-dirs", "docs/examples"}},
	{"terraform-aws-modules+terraform-aws-rds", terraformCheck, []string{"--offline", "--all-dirs", "."}},
	{"terraform-aws-modules+terraform-aws-rds", policyCheck, nil},
	{"onedr0p+cluster-template", policyCheck, []string{"--kubernetes-version=v1.36.4"}},
	{"stefanprodan+podinfo", policyCheck, nil},
	{"GoogleCloudPlatform+microservices-demo", policyCheck, nil},
}

// hit is one error or warning a check gives on the corpus: what
// precision.tsv judges.
type hit struct {
	repo, tool, severity, rule, where, message string
}

// judged is a line of precision.tsv.
type judged struct {
	hit
	verdict, why string
}

// TestCorpus runs every check over the repositories of repos/ (public
// repositories nobody here wrote; NOTICE and each one's licence) and
// holds every error and warning to precision.tsv, where each is judged
// real or noise: a new finding, or one gone, fails until the file says
// so (go test -run TestCorpus -update adds new ones as unjudged). The
// goal it holds: no noise errors, and warnings at least 90% real.
func TestCorpus(t *testing.T) {
	need.Tool(t, "kustomize", "v5.8.2") // the oracle of TestCorpusKustomize; also proves the tools are built
	if _, err := exec.LookPath("ansible-lint"); err != nil {
		need.Missing(t, "ansible-lint is not on PATH (hack/deps.sh installs it)")
	}
	if _, err := terraform.FindBinary(""); err != nil {
		need.Missing(t, "terraform is not on PATH (hack/deps.sh installs it)")
	}
	root, _ := filepath.Abs("repos")
	var got []judged
	for _, r := range runs {
		t.Run(r.repo+"/"+toolName(r.check()), func(t *testing.T) {
			rep, _, err := clitest.RunCheck(t, r.check(), checkout(t, filepath.Join(root, r.repo)), withCache(t, r.args)...)
			if rep == nil {
				t.Fatalf("no report: %v", err)
			}
			for _, f := range rep.Findings {
				if f.Severity != report.Error && f.Severity != report.Warning {
					continue
				}
				got = append(got, judged{hit: hit{r.repo, rep.Tool, f.Severity.String(), f.Rule, fmt.Sprintf("%s:%d", f.File, f.Line), oneLine(f.Message)}})
			}
		})
	}
	file := "precision.tsv"
	have := readPrecision(t, file)
	byHit := map[hit]judged{}
	for _, j := range have {
		byHit[j.hit] = j
	}
	if *update {
		var out []judged
		for _, g := range got {
			j, ok := byHit[g.hit]
			if !ok {
				j = judged{hit: g.hit, verdict: "unjudged"}
			}
			out = append(out, j)
		}
		writePrecision(t, file, out)
		have, byHit = out, map[hit]judged{}
		for _, j := range out {
			byHit[j.hit] = j
		}
	}
	gotHits := map[hit]bool{}
	for _, g := range got {
		gotHits[g.hit] = true
		if _, ok := byHit[g.hit]; !ok {
			t.Errorf("not judged in %s (run with -update, then judge it): %v", file, g.hit)
		}
	}
	real, noise := map[string]int{}, map[string]int{}
	for _, j := range have {
		if !gotHits[j.hit] {
			t.Errorf("%s judges a finding the checks no longer give (run with -update): %v", file, j.hit)
			continue
		}
		switch j.verdict {
		case "real":
			real[j.severity]++
		case "noise":
			noise[j.severity]++
			if j.severity == "error" {
				t.Errorf("a noise error: %v (%s)", j.hit, j.why)
			}
		default:
			t.Errorf("%v is %q: judge it real or noise, and say why", j.hit, j.verdict)
		}
	}
	t.Logf("errors: %d real, %d noise; warnings: %d real, %d noise", real["error"], noise["error"], real["warning"], noise["warning"])
	if w := real["warning"] + noise["warning"]; w > 0 && real["warning"]*10 < w*9 {
		t.Errorf("warnings %d of %d real: under 90%%", real["warning"], w)
	}
}

// TestCorpusKustomize: every kustomization of the corpus that Plumbline
// renders equals kustomize build's output, or both refuse it.
func TestCorpusKustomize(t *testing.T) {
	bin := need.Tool(t, "kustomize", "v5.8.2")
	root, _ := filepath.Abs("repos")
	entries, _ := os.ReadDir(root)
	builds := 0
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		res, err := kustomize.Render(context.Background(), kustomize.Options{Root: dir})
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		for _, b := range res.Builds {
			var unfetched *kustomize.Unfetched
			if b.Err != nil && errors.As(b.Err, &unfetched) {
				continue // not rendered offline by design: kustomize would fetch it
			}
			builds++
			cmd := exec.Command(bin, "build", b.Dir)
			cmd.Dir = dir
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			want, cliErr := cmd.Output()
			switch {
			case cliErr != nil && b.Err == nil:
				t.Errorf("%s/%s: kustomize refused it (%s), we rendered it", e.Name(), b.Dir, firstLine(stderr.String()))
			case cliErr == nil && b.Err != nil:
				t.Errorf("%s/%s: kustomize built it, we refused: %v", e.Name(), b.Dir, b.Err)
			case cliErr == nil && string(want) != string(b.YAML):
				t.Errorf("%s/%s: output differs from kustomize build:\n%s", e.Name(), b.Dir, cmp.Diff(string(want), string(b.YAML)))
			}
		}
	}
	t.Logf("%d kustomizations compared with kustomize build", builds)
	if builds < 50 {
		t.Errorf("only %d kustomizations in the corpus", builds)
	}
}

// TestCorpusFmt: terraform-validate's fmt findings on the corpus are
// exactly the files terraform fmt -check lists.
func TestCorpusFmt(t *testing.T) {
	bin, err := terraform.FindBinary("")
	if err != nil {
		need.Missing(t, "terraform is not on PATH (hack/deps.sh installs it)")
	}
	root, _ := filepath.Abs("repos")
	var want, got []string
	for _, r := range runs {
		if toolName(r.check()) != terraform.Tool {
			continue
		}
		dir := filepath.Join(root, r.repo)
		sub := r.args[len(r.args)-1]
		filepath.WalkDir(filepath.Join(dir, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".tf") {
				return nil
			}
			if out, err := exec.Command(bin, "fmt", "-check", "-list=true", p).CombinedOutput(); err != nil && len(out) > 0 {
				rel, _ := filepath.Rel(dir, p)
				want = append(want, r.repo+" "+filepath.ToSlash(rel))
			}
			return nil
		})
		rep, _, _ := clitest.RunCheck(t, &terraform.Check{}, dir, r.args...)
		for _, f := range rep.Findings {
			if f.Rule == terraform.RuleFormat {
				got = append(got, r.repo+" "+f.File)
			}
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("fmt findings (-terraform fmt +terraform-validate):\n%s", d)
	}
	t.Logf("%d files terraform fmt would change; terraform-validate names the same", len(want))
}

// checkout copies a corpus repository to a directory of its own, as a
// clone is: not inside this module's git repository, under a plain name
// (a + in a path breaks ansible-lint 6.13's reading of its syntax check).
func checkout(t *testing.T, dir string) string {
	t.Helper()
	// Not t.TempDir(): its name holds the test's, and so the +.
	tmp, err := os.MkdirTemp("", "plumbline-corpus-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	dst := filepath.Join(tmp, "repo")
	if out, err := exec.Command("cp", "-a", dir, dst).CombinedOutput(); err != nil {
		t.Fatalf("cp -a %s: %v\n%s", dir, err, out)
	}
	return dst
}

func toolName(c cli.Check) string {
	switch c.(type) {
	case *policy.Check:
		return policy.Tool
	case *terraform.Check:
		return terraform.Tool
	case *ansiblelint.Check:
		return ansiblelint.Tool
	}
	return "?"
}

func readPrecision(t *testing.T, file string) []judged {
	f, err := os.Open(file)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []judged
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 8 {
			t.Fatalf("%s:%d: want 8 tab-separated columns, got %d", file, n, len(c))
		}
		out = append(out, judged{hit: hit{c[0], c[1], c[2], c[3], c[4], c[7]}, verdict: c[5], why: c[6]})
	}
	return out
}

const header = `# Every error and warning the checks give on test/corpus/repos (TestCorpus),
# judged: real (the repository has the problem the message names) or noise
# (it does not), and why. Columns: repository, check, severity, rule,
# file:line, verdict, why, message. go test -run TestCorpus -update keeps
# the judgements and adds new findings as unjudged.
`

func writePrecision(t *testing.T, file string, js []judged) {
	slices.SortFunc(js, func(a, b judged) int {
		return strings.Compare(fmt.Sprint(a.hit), fmt.Sprint(b.hit))
	})
	var b strings.Builder
	b.WriteString(header)
	for _, j := range js {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", j.repo, j.tool, j.severity, j.rule, j.where, j.verdict, j.why, j.message)
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func oneLine(s string) string {
	if home := os.Getenv("HOME"); home != "" && home != "/" {
		s = strings.ReplaceAll(s, home, "~")
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

// TestCorpusAnsibleLint: on every Ansible project of the corpus,
// ansible-lint-check reports what ansible-lint itself reports, at the
// same file and line (a finding it explains, a module of a collection not
// installed, counts as the ansible-lint finding it replaced).
func TestCorpusAnsibleLint(t *testing.T) {
	eachAnsibleRun(t, func(t *testing.T, r run, dir string) {
		project := filepath.Join(dir, r.args[len(r.args)-1])
		cmd := exec.Command("ansible-lint", "-f", "codeclimate", "-q", "--offline", "--nocolor")
		// A cache of its own, as the check has: none of another run's mocks.
		cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir())
		cmd.Dir = project
		out, _ := cmd.Output()
		var issues []struct {
			Location struct {
				Path  string `json:"path"`
				Lines struct {
					Begin int `json:"begin"`
				} `json:"lines"`
				Positions struct {
					Begin struct {
						Line int `json:"line"`
					} `json:"begin"`
				} `json:"positions"`
			} `json:"location"`
		}
		if err := json.Unmarshal(out, &issues); err != nil {
			t.Fatalf("ansible-lint's output: %v\n%s", err, out)
		}
		var want, got []string
		prefix := filepath.ToSlash(r.args[len(r.args)-1])
		for _, is := range issues {
			line := is.Location.Lines.Begin
			if is.Location.Positions.Begin.Line > 0 {
				line = is.Location.Positions.Begin.Line
			}
			want = append(want, fmt.Sprintf("%s:%d", filepath.ToSlash(filepath.Join(prefix, is.Location.Path)), line))
		}
		rep, _, _ := clitest.RunCheck(t, &ansiblelint.Check{}, dir, r.args...)
		for _, f := range rep.Findings {
			if strings.HasPrefix(f.Rule, "ansible-lint/") || f.Rule == ansiblelint.RuleCollectionMissing && (strings.Contains(f.Message, "is a module of collection") || strings.Contains(f.Message, "is not a module of")) {
				got = append(got, fmt.Sprintf("%s:%d", f.File, f.Line))
			}
		}
		sort.Strings(want)
		sort.Strings(got)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("(-ansible-lint +ansible-lint-check):\n%s", d)
		}
		t.Logf("%d findings, at the places ansible-lint gives", len(got))
	})
}

// eachAnsibleRun runs f on a checkout of every Ansible project of the
// corpus, each in a subtest.
func eachAnsibleRun(t *testing.T, f func(t *testing.T, r run, dir string)) {
	if _, err := ansiblelint.FindBinary(""); err != nil {
		need.Missing(t, "ansible-lint is not on PATH (hack/deps.sh installs it)")
	}
	root, _ := filepath.Abs("repos")
	for _, r := range runs {
		if toolName(r.check()) != ansiblelint.Tool {
			continue
		}
		t.Run(r.repo, func(t *testing.T) { f(t, r, checkout(t, filepath.Join(root, r.repo))) })
	}
}

// TestCorpusConftest: the bundled library decides each corpus file as
// conftest does with the same policies, read as written (no rendering, no
// schema), per file: failures and warnings. A repository conftest cannot
// read at all (a Helm chart's Go templates stop it) is said and skipped.
func TestCorpusConftest(t *testing.T) {
	bin := need.Tool(t, "conftest", "v0.71.1")
	lib, _ := filepath.Abs("../../policies/homelab")
	root, _ := filepath.Abs("repos")
	compared := 0
	for _, r := range runs {
		if toolName(r.check()) != policy.Tool {
			continue
		}
		t.Run(r.repo, func(t *testing.T) {
			dir := checkout(t, filepath.Join(root, r.repo))
			cmd := exec.Command(bin, "test", "--no-color", "-o", "json", "-p", lib, "-n", "homelab.kubernetes", "-n", "homelab.terraform",
				"-n", "homelab.ansible", "-n", "homelab.argocd", "-n", "homelab.dns", ".")
			cmd.Dir = dir
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			var results []struct {
				Filename string            `json:"filename"`
				Failures []json.RawMessage `json:"failures"`
				Warnings []json.RawMessage `json:"warnings"`
			}
			if jerr := json.Unmarshal(out, &results); jerr != nil {
				t.Skipf("conftest cannot read this repository as written (%v): %s", err, firstLine(stderr.String()))
			}
			want := map[string][2]int{}
			for _, res := range results {
				if n := [2]int{len(res.Failures), len(res.Warnings)}; n != [2]int{} {
					want[filepath.ToSlash(filepath.Clean(res.Filename))] = n
				}
			}
			rep, _, _ := clitest.RunCheck(t, &policy.Check{}, dir, "--schema=false", "--kustomize=off", "-p", lib,
				"-n", "homelab.kubernetes", "-n", "homelab.terraform", "-n", "homelab.ansible", "-n", "homelab.argocd", "-n", "homelab.dns", ".")
			got := map[string][2]int{}
			for _, f := range rep.Findings {
				if !strings.HasPrefix(f.Rule, "homelab.") {
					continue
				}
				n := got[f.File]
				switch f.Severity {
				case report.Error:
					n[0]++
				case report.Warning:
					n[1]++
				}
				got[f.File] = n
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("per file [failures warnings] (-conftest +policy-check):\n%s", d)
			}
			compared++
		})
	}
	t.Logf("%d repositories decided as conftest decides them", compared)
}

// TestCorpusLauncher: on every Ansible project of the corpus,
// ansible-lint through the launcher (its commands started early, the
// version read from ansible.release, the syntax checks of the playbooks
// the check names started early) says byte for byte what its own script
// says, with the same exit code, as ansible-lint-check runs it.
func TestCorpusLauncher(t *testing.T) {
	eachAnsibleRun(t, func(t *testing.T, r run, dir string) {
		bin, _ := ansiblelint.FindBinary("")
		both := &bothWays{t: t, launched: &ansiblelint.Exec{Bin: bin}, script: &ansiblelint.Exec{Bin: bin, Script: true}}
		c := &ansiblelint.Check{NewLinter: func(string) ansiblelint.Linter { return both }}
		clitest.RunCheck(t, c, dir, r.args...)
		if both.runs == 0 {
			t.Fatal("ansible-lint never ran")
		}
		t.Logf("%d runs, %d playbooks named to the launcher, the same output both ways", both.runs, both.books)
	})
}

// bothWays runs each ansible-lint job through the launcher and as the
// script, each with a cache of its own, and compares what they say.
type bothWays struct {
	t                *testing.T
	launched, script *ansiblelint.Exec
	runs, books      int
}

var _ ansiblelint.Linter = (*bothWays)(nil)

func (b *bothWays) Versions(ctx context.Context) (string, string, error) {
	return b.launched.Versions(ctx)
}

func (b *bothWays) SyntaxCheck(ctx context.Context, dir, playbook string, env []string) (ansiblelint.Result, error) {
	return b.launched.SyntaxCheck(ctx, dir, playbook, env)
}

func (b *bothWays) Lint(ctx context.Context, job ansiblelint.Job) (ansiblelint.Result, error) {
	own := func(j ansiblelint.Job) ansiblelint.Job {
		j.Env = append(slices.Clone(j.Env), "XDG_CACHE_HOME="+b.t.TempDir())
		return j
	}
	launched, err := b.launched.Lint(ctx, own(job))
	if err != nil {
		return launched, err
	}
	scriptJob := own(job)
	scriptJob.Playbooks = nil
	script, err := b.script.Lint(ctx, scriptJob)
	if err != nil {
		return launched, err
	}
	b.runs++
	b.books += len(job.Playbooks)
	if script.Code != launched.Code || !bytes.Equal(script.Stdout, launched.Stdout) {
		b.t.Errorf("%s: exit %d as the script, %d through the launcher; stdout:\n%s\nthrough the launcher:\n%s", job.Dir, script.Code, launched.Code, script.Stdout, launched.Stdout)
	}
	if d := cmp.Diff(string(script.Stderr), string(launched.Stderr)); d != "" {
		b.t.Errorf("%s: stderr (-script +launcher):\n%s", job.Dir, d)
	}
	return launched, nil
}

package tektoncheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// source is how hack/yamlcheck checks our sources; testdata/root stands
// for the repository.
func source(t *testing.T, file string) []Problem {
	t.Helper()
	root := "testdata/root"
	files, _ := filepath.Glob(filepath.Join(root, "*", "*.yaml"))
	decoded := NewFiles()
	tasks, actions := decoded.Load(files)
	c := &Checker{Root: root, Images: KoBuilt, Tasks: tasks, StepActions: actions, Files: decoded}
	ps, err := c.File(file)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestGood(t *testing.T) {
	for _, p := range source(t, "testdata/good/task.yaml") {
		t.Error(p)
	}
}

// TestEachRuleFires: every file in testdata/bad breaks the rule it is named
// after (unknown-field is Tekton's strict decoding) and no other.
func TestEachRuleFires(t *testing.T) {
	want := map[string][]string{
		"metadata": {
			`annotation tekton.dev/platforms is "linux/amd64", want "linux/amd64,linux/arm64"`,
			"spec.description is missing",
		},
		"ko-path": {
			"ko://github.com/other/thing/cmd/x is not ko://github.com/plumbline/plumbline/images/<name>",
			"ko://github.com/plumbline/plumbline/images/notmain: no main package in images/notmain",
		},
		"image": {`step shell: image "alpine:3.20" is neither ko:// nor a param defaulting to ko://`},
		"script-vars": {
			"step shell: script uses $(params.…); pass it through env or args", "step shell: script uses $(workspaces.…); pass it through env or args",
			"step shell-c: script uses $(params.…); pass it through env or args",
		},
		"non-root": {"step check: securityContext pins a UID or GID; leave it to the image (65532) so a platform can assign one", "step shell: securityContext.runAsNonRoot is not true"},
		"params":   {"param unused is declared but never used"},
		"secret-env": {
			"task good step check: env TF_TOKEN_app_terraform_io comes from Secret registry; mount it as a file in a workspace of this step only",
			"task good step check: envFrom Secret everything; mount it as a file in a workspace of this step only",
		},
		"working-dir": {`stepaction working-dir: workingDir "$(params.source-dir)"; pass the directory as an argument (--chdir) instead`},
		"wiring": {
			"task check: good has no param nope",
			"task check: good has no workspace other",
			"task check: workspace source of good is not bound",
			"$(tasks.check.results.missing) refers to result missing, which good does not declare",
			"step check: good-action has no param nope",
			"step check: required param source-dir of good-action is not given",
			"step gone: no StepAction no-such-action in stepactions/",
			"$(steps.check.results.missing) refers to result missing, which good-action does not declare",
		},
	}
	entries, err := os.ReadDir("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".yaml")
		t.Run(name, func(t *testing.T) {
			problems := source(t, filepath.Join("testdata/bad", e.Name()))
			if len(problems) == 0 {
				t.Fatal("no problem found")
			}
			wantRule := name
			if name == "unknown-field" {
				wantRule = RuleTekton
			}
			var msgs []string
			for _, p := range problems {
				if p.Rule != wantRule {
					t.Errorf("unexpected %v", p)
				}
				if p.File != filepath.Join("..", "bad", e.Name()) || p.Line < 1 {
					t.Errorf("problem not located: %v", p)
				}
				msgs = append(msgs, p.Msg)
			}
			if w, ok := want[name]; ok {
				if diff := cmp.Diff(w, msgs); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
			if name == "tekton-validate" && !slices.Contains(msgs, "CRD schema: spec.steps[0].workspaces[0].mountPath: Required value") {
				t.Errorf("no problem for the isolated workspace without mountPath: %q", msgs)
			}
		})
	}
}

// TestStepAction: the rules that hold for a Task's steps hold for a
// StepAction.
func TestStepAction(t *testing.T) {
	for _, p := range source(t, "testdata/good/stepaction.yaml") {
		t.Error(p)
	}
	data, err := os.ReadFile("testdata/good/stepaction.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.NewReplacer(
		`args: ["$(params.path)"]`, `script: ls $(params.path)`,
		"runAsNonRoot: true", "runAsUser: 1000",
		"image: ko://github.com/plumbline/plumbline/images/fake", "image: alpine",
	).Replace(string(data))
	f := filepath.Join(t.TempDir(), "stepaction.yaml")
	if err := os.WriteFile(f, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range source(t, f) {
		if p.Rule != RuleTekton {
			got = append(got, p.Rule+": "+p.Msg)
		}
	}
	want := []string{
		`image: stepaction good-step: image "alpine" is neither ko:// nor a param defaulting to ko://`,
		"script-vars: stepaction good-step: script uses $(params.…); pass it through env or args",
		"non-root: stepaction good-step: securityContext.runAsNonRoot is not true",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestPinned: a released file names images by digest, and a ko://
// reference left in it is an error, in a Task's steps and anywhere else.
func TestPinned(t *testing.T) {
	data, err := os.ReadFile("testdata/good/task.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pinned := "registry.example/fake@sha256:" + strings.Repeat("ab", 32)
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"pinned", strings.ReplaceAll(string(data), "ko://github.com/plumbline/plumbline/images/fake", pinned), nil},
		{"tag", strings.ReplaceAll(string(data), "ko://github.com/plumbline/plumbline/images/fake", "registry.example/fake:1"), []string{
			`image: step check: image "$(params.image)" is not pinned by digest`,
			`image: step shell: image "registry.example/fake:1" is not pinned by digest`,
		}},
		{"ko left", strings.Replace(string(data), "ko://github.com/plumbline/plumbline/images/fake", pinned, 1), []string{
			"image: ko://github.com/plumbline/plumbline/images/fake: an unresolved ko:// reference",
			`image: step shell: image "ko://github.com/plumbline/plumbline/images/fake" is not pinned by digest`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "task.yaml")
			if err := os.WriteFile(f, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			ps, err := (&Checker{Root: filepath.Dir(f), Images: Pinned}).File(f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.Rule+": "+p.Msg)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestFilesDecodeOnce: a file is decoded once for the index and the
// checks, and checking it (which defaults and names objects) leaves what
// the index holds as written.
func TestFilesDecodeOnce(t *testing.T) {
	root := "testdata/root"
	files, _ := filepath.Glob(filepath.Join(root, "*", "*.yaml"))
	decoded := NewFiles()
	tasks, actions := decoded.Load(files)
	if len(tasks) == 0 {
		t.Fatal("no Tasks in testdata/root")
	}
	before, _ := json.Marshal(tasks)
	c := &Checker{Root: root, Images: KoBuilt, Tasks: tasks, StepActions: actions, Files: decoded}
	for _, f := range files {
		if _, err := c.File(f); err != nil {
			t.Fatal(err)
		}
		objs, err := decoded.Objects(f)
		if err != nil {
			continue
		}
		again, _ := decoded.Objects(f)
		if len(objs) > 0 && objs[0] != again[0] {
			t.Errorf("%s decoded twice", f)
		}
	}
	if after, _ := json.Marshal(tasks); string(after) != string(before) {
		t.Errorf("checking the files changed the indexed Tasks:\n%s\n%s", before, after)
	}
}

package input

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// pathLines is how YAML lines were placed before positions: a map from
// JSON-pointer path strings to lines, the first node recorded at a path
// keeping it. Kept here as the reference positions must agree with.
type pathLines struct {
	m    map[string]int
	last int
	dup  bool // a mapping repeats a key: the reference is ambiguous there
}

func (r *pathLines) walk(n *yaml.Node, path string, record bool, depth int) {
	if depth > 200 {
		r.dup = true // not a shape this reference is for
		return
	}
	if record && n.Kind != yaml.DocumentNode {
		if _, ok := r.m[path]; !ok {
			r.m[path] = min(n.Line, r.last)
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			r.walk(n.Content[0], path, record, depth+1)
		}
	case yaml.AliasNode:
		// Inside an alias nothing is recorded.
	case yaml.SequenceNode:
		for i, e := range n.Content {
			r.walk(e, Child(path, i), record, depth+1)
		}
	case yaml.MappingNode:
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Style == 0 {
				continue
			}
			key, err := (&yamlConv{}).key(k)
			if err != nil {
				r.dup = true
				return
			}
			if seen[key] {
				r.dup = true
			}
			seen[key] = true
			kp := Child(path, key)
			if record {
				r.m[kp] = k.Line
			}
			r.walk(v, kp, record, depth+1)
		}
	}
}

// referenceLine is Input.Line as it was: the deepest recorded prefix.
func (r *pathLines) line(path []any) int {
	for n := len(path); n >= 0; n-- {
		if l, ok := r.m[Key(path[:n])]; ok && l > 0 {
			return l
		}
	}
	return 0
}

// allPaths lists every path inside v, and one missing key and index below
// each container.
func allPaths(v any, prefix []any, out *[][]any) {
	*out = append(*out, prefix)
	grow := func(step any) []any { return append(append([]any(nil), prefix...), step) }
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			allPaths(e, grow(k), out)
		}
		*out = append(*out, grow("no such key"))
	case []any:
		for i, e := range t {
			allPaths(e, grow(i), out)
		}
		*out = append(*out, grow(len(t)+3))
	}
}

// agreeWithPathLines checks Input.Line on every path of the YAML text's
// value against the reference; texts the reference is ambiguous on (a key
// written twice, very deep nesting) are skipped.
func agreeWithPathLines(t *testing.T, text string) {
	t.Helper()
	in, err := YAML("x.yaml", []byte(text))
	if err != nil {
		return
	}
	ref := &pathLines{m: map[string]int{}, last: LineCount([]byte(text))}
	dec := yaml.NewDecoder(bytes.NewReader([]byte(text)))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		if err := dec.Decode(&n); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return
		}
		docs = append(docs, &n)
	}
	if len(docs) == 1 {
		ref.walk(docs[0], "", true, 0)
	} else {
		for i, d := range docs {
			ref.walk(d, Child("", i), true, 0)
		}
	}
	if ref.dup {
		return
	}
	var paths [][]any
	allPaths(in.Value, nil, &paths)
	for _, p := range paths {
		if got, want := in.Line(p), ref.line(p); got != want {
			t.Fatalf("Line(%v) = %d, the path map says %d\n%s", p, got, want, text)
		}
	}
}

// TestPositionsAsPathLines: positions place every path of the fuzz corpus
// and the examples exactly where the path map did.
func TestPositionsAsPathLines(t *testing.T) {
	texts := []string{sample, "a: &a {b: [1, {c: 2}]}\nd: *a\ne:\n  <<: *a\n  f: 3\n", "---\n---\na: 1\n", "- [a, [b, [c]]]\n", "? [a]\n: b\n"}
	corpus, _ := filepath.Glob("testdata/fuzz/FuzzYAMLPositions/*")
	for _, f := range corpus {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// go test fuzz v1 / string("…"): the text is the quoted line.
		for _, line := range strings.Split(string(b), "\n") {
			if s, ok := strings.CutPrefix(line, "string("); ok {
				if u, err := strconv.Unquote(strings.TrimSuffix(s, ")")); err == nil {
					texts = append(texts, u)
				}
			}
		}
	}
	examples, _ := filepath.Glob("../../examples/homelab/kubernetes/*/*.yaml")
	more, _ := filepath.Glob("../../examples/homelab/*/*.yaml")
	for _, f := range append(examples, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	if len(texts) < 20 {
		t.Fatalf("only %d texts", len(texts))
	}
	for _, text := range texts {
		agreeWithPathLines(t, text)
	}
}

// sample is the shape most inputs have: documents of block mappings and
// sequences, a flow mapping and a literal block scalar.
const sample = `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: lint
  labels: {app: lint, tier: ci}
spec:
  steps:
    - name: run
      image: alpine:3.20
      script: |
        #!/bin/sh
        echo hi
---
apiVersion: v1
kind: ConfigMap
data:
  a: "1"
`

// FuzzYAMLPositions: on any text, positions agree with the path map (the
// YAML parser's other promises are fuzzed through the parser registry,
// pkg/policy/parser's FuzzYAML; its corpus seeds this one).
func FuzzYAMLPositions(f *testing.F) {
	for _, s := range []string{sample, "a: &a [1]\nb: *a\n", "<<: {a: 1}\n", "- a\n- b: [c, {d: e}]\n", "? [a]\n: b\n", "---\n- 1\n---\n{a: [2]}\n"} {
		f.Add(s)
	}
	f.Fuzz(agreeWithPathLines)
}

// sameAsYAMLv3 checks that when the fast reader takes text, yaml.v3 gives
// the same value and every path the same line.
func sameAsYAMLv3(t *testing.T, text string) (taken bool) {
	t.Helper()
	v, pos, ok := parseFast([]byte(text))
	if !ok {
		return false
	}
	slow, err := parseYAML("x.yaml", []byte(text))
	if err != nil {
		t.Fatalf("the fast reader took a text yaml.v3 refuses (%v):\n%q", err, text)
	}
	if diff := cmp.Diff(slow.Value, v); diff != "" {
		t.Fatalf("value (-yaml.v3 +fast):\n%s\n%q", diff, text)
	}
	fast := &Input{Value: v, positions: &pos}
	var paths [][]any
	allPaths(v, nil, &paths)
	for _, p := range paths {
		if got, want := fast.Line(p), slow.Line(p); got != want {
			t.Fatalf("Line(%v) = %d, yaml.v3 says %d\n%q", p, got, want, text)
		}
	}
	return true
}

// FuzzFastYAML: the fast reader agrees with yaml.v3 wherever it answers.
func FuzzFastYAML(f *testing.F) {
	for _, s := range append(slices.Clone(fastSeeds), blockScalars...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) { sameAsYAMLv3(t, text) })
}

var fastSeeds = []string{sample,
	"a: 1\nb:\n- x\n- 'y''s'\nc: {d: [1, 2.5, \"e\\\"f\"], g: {}}\n",
	"---\n- a: yes\n  b: [on, Off, ~, null, 0x1F, 012, 1_000, -3, .5, 1e3]\n- \"q\"\n---\nk: v # c\n",
	"key:\n  value\nother: x:y\n",
	"a:\n  b:\n    c: 1\n  d: 2\ne: -x\n",
	"  indented: root\n  second: 2\n",
	"list:\n  - name: a\n    env:\n    - {name: X, value: \"1\"}\n  - name: b\n",
	"yes: 1\n1.0: b\nnull: c\n.x: d\n/p: e\n",
	"data:\n  a.conf: |\n    x = 1\n\n      y = 2  \n    # not a comment\n  b: >-\n    one\n    two\n\n    three\n  c: |+\n    kept\n\n\nnext: 1\n",
	"steps:\n  - name: s\n    script: |\n      #!/bin/sh\n      echo hi\n  - |\n    raw\n# end\n",
}

// blockScalars are texts with block scalars the fast reader takes: the
// shapes of ConfigMaps, Tekton scripts and Helm values.
var blockScalars = []string{
	"a: |\n  x\n",
	"a: |-\n  x\n  y\n",
	"a: |+\n  x\n\n",
	"a: >\n  x\n  y\n\n  z\nb: 1\n",
	"a: > # folded\n  x\n",
	"- |\n  one\n\n  two\n- b\n",
	"k:\n  - name: x\n    script: |\n      set -e\n        indented\n      done\n    after: 1\n",
}

// TestFastBlockScalars: the fast reader takes literal and folded block
// scalars and reads them as yaml.v3 does.
func TestFastBlockScalars(t *testing.T) {
	for _, text := range blockScalars {
		if !sameAsYAMLv3(t, text) {
			t.Errorf("the fast reader left to yaml.v3:\n%s", text)
		}
	}
}

// TestFastYAMLAgrees: on the seeds, the examples and every YAML file in
// the repository's test data, the fast reader and yaml.v3 agree, and the
// fast reader takes most of them (it is the point of having it).
func TestFastYAMLAgrees(t *testing.T) {
	texts := append([]string(nil), fastSeeds...)
	for _, glob := range []string{"../../examples/homelab/*/*.yaml", "../../examples/homelab/*/*/*.yaml", "../../examples/homelab/*/*/*/*.yaml", "../../test/*/testdata/*.yaml", "../../tasks/*.yaml", "../../pipelines/*.yaml", "../../triggers/*/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, string(b))
		}
	}
	taken := 0
	for _, text := range texts {
		if sameAsYAMLv3(t, text) {
			taken++
		}
	}
	t.Logf("fast reader took %d of %d texts", taken, len(texts))
	if taken < len(fastSeeds) || taken*2 < len(texts) {
		t.Errorf("fast reader took only %d of %d texts", taken, len(texts))
	}
}

// TestFastYAMLAgreesOnCorpus: on every YAML file of the real repositories
// in test/corpus (Flux, ArgoCD, Helm, Ansible and Tekton of other people),
// the fast reader and yaml.v3 agree wherever the fast reader answers.
func TestFastYAMLAgreesOnCorpus(t *testing.T) {
	taken, blocks, total := 0, 0, 0
	err := filepath.WalkDir("../../test/corpus/repos", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		total++
		if sameAsYAMLv3(t, string(b)) {
			taken++
			if strings.Contains(string(b), ": |") || strings.Contains(string(b), ": >") {
				blocks++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fast reader took %d of %d corpus files, %d of them with block scalars", taken, total, blocks)
	if total < 500 || taken*2 < total {
		t.Errorf("fast reader took only %d of %d corpus files", taken, total)
	}
}

// Nodes with more children than wideChildren are looked up through an
// index (issue 30: thousands of documents were scanned for each finding);
// lines stay those of the reference, for documents, keys and list items,
// in both readers.
func TestWidePositions(t *testing.T) {
	var docs, keys, items strings.Builder
	for i := range 100 {
		fmt.Fprintf(&docs, "---\nkind: Pod\nmetadata:\n  name: p%d\n", i)
		fmt.Fprintf(&keys, "k%d: %d\n", i, i)
		fmt.Fprintf(&items, "- {a: %d}\n", i)
	}
	for _, text := range []string{docs.String(), keys.String(), items.String(), "list: !!seq\n" + items.String(), "x: &a 1\n" + keys.String()} {
		agreeWithPathLines(t, text)
	}
}

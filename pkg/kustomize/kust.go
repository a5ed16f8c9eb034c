package kustomize

import (
	"path"
	"strings"

	"github.com/plumbline/plumbline/pkg/policy/parser"
	"github.com/plumbline/plumbline/pkg/report"
)

// kust is one kustomization file as written: its value and its lines.
type kust struct {
	dir, file string // root-relative
	in        *parser.Input
	m         map[string]any
	err       error // it does not parse: kustomize will say so too
}

var yamlParser, _ = parser.New("yaml")

func (t *memTree) readKust(dir string) *kust {
	file := t.kustomizationIn(dir)
	if file == "" {
		return nil
	}
	k := &kust{dir: dir, file: file}
	data, err := t.FileSystem.ReadFile(memPath(file))
	if err == nil {
		k.in, err = yamlParser.Parse(file, data)
	}
	if err != nil {
		k.err = err
		return k
	}
	k.m, _ = k.in.Value.(map[string]any)
	return k
}

func (k *kust) component() bool { return k.m["kind"] == "Component" }

func (k *kust) line(p ...any) int {
	if k.in == nil {
		return 0
	}
	return k.in.Line(p)
}

// ref is a path or URL a kustomization names, with where it says so.
type ref struct {
	value string
	at    []any // path inside the kustomization
}

// listFields hold lists of paths (or URLs); objectFields hold objects
// whose field path (or files/envs) names one.
var listFields = []string{"resources", "bases", "components", "crds", "configurations",
	"generators", "transformers", "validators", "patchesStrategicMerge"}

// refs lists every path a kustomization names (not inline content).
func (k *kust) refs() []ref {
	var out []ref
	str := func(v any, at ...any) {
		if s, ok := v.(string); ok && s != "" && !strings.ContainsAny(s, "\n") {
			out = append(out, ref{s, at})
		}
	}
	for _, f := range listFields {
		list, _ := k.m[f].([]any)
		for i, v := range list {
			str(v, f, i)
		}
	}
	for _, f := range []string{"patches", "patchesJson6902", "replacements"} {
		list, _ := k.m[f].([]any)
		for i, v := range list {
			if m, ok := v.(map[string]any); ok {
				str(m["path"], f, i, "path")
			}
		}
	}
	if m, ok := k.m["openapi"].(map[string]any); ok {
		str(m["path"], "openapi", "path")
	}
	for _, f := range []string{"configMapGenerator", "secretGenerator"} {
		list, _ := k.m[f].([]any)
		for i, v := range list {
			g, _ := v.(map[string]any)
			for _, sub := range []string{"files", "envs"} {
				files, _ := g[sub].([]any)
				for j, fv := range files {
					if s, ok := fv.(string); ok {
						// files: [key=path]
						if _, p, ok := strings.Cut(s, "="); ok && sub == "files" {
							s = p
						}
						str(s, f, i, sub, j)
					}
				}
			}
			str(g["env"], f, i, "env")
		}
	}
	return out
}

// bases are the local directories a kustomization takes resources or
// components from.
func (k *kust) bases(t *memTree) []string {
	var out []string
	for _, r := range k.refs() {
		if f := r.at[0]; f != "resources" && f != "bases" && f != "components" || remote(r.value) {
			continue
		}
		d := path.Clean(pathJoin(k.dir, r.value))
		if t.FileSystem.IsDir(memPath(d)) {
			out = append(out, d)
		}
	}
	return out
}

// remote reports whether kustomize would fetch a reference over the
// network (an HTTP(S) file, a git repository: any scheme, go-getter's
// git::, GitHub's short form, scp-like user@host:path) instead of reading
// it from the repository.
func remote(s string) bool {
	l := strings.ToLower(s)
	if strings.Contains(l, "://") || strings.HasPrefix(l, "git::") || strings.HasPrefix(l, "github.com") {
		return true
	}
	if at := strings.IndexByte(s, '@'); at > 0 {
		if slash := strings.IndexByte(s, '/'); slash < 0 || at < slash {
			return true
		}
	}
	return false
}

// offline lists what a kustomization would fetch: remote references and
// Helm charts, each an error at its line.
func (k *kust) offline() []error {
	var errs []error
	for _, r := range k.refs() {
		if remote(r.value) {
			errs = append(errs, &report.InputError{File: k.file, Line: k.line(r.at...),
				Msg: "remote " + r.at[0].(string) + " entry " + r.value + " is not fetched: rendering is offline; vendor it into the repository"})
		}
	}
	for _, f := range []string{"helmCharts", "helmChartInflationGenerator"} {
		if _, ok := k.m[f]; ok {
			errs = append(errs, &report.InputError{File: k.file, Line: k.line(f),
				Msg: f + " needs a chart download and helm: not rendered offline; render the chart into the repository (helm template) instead"})
		}
	}
	return errs
}

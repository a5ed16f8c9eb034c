package kustomize

import (
	"github.com/plumbline/plumbline/pkg/input"
	"path"
	"strings"

	"github.com/plumbline/plumbline/pkg/report"
)

// kust is one kustomization file as written: its value and its lines.
type kust struct {
	dir, file string // root-relative
	in        *input.Input
	m         map[string]any
	err       error // it does not parse: kustomize will say so too
}

func (t *memTree) readKust(dir string) *kust {
	file := t.kustomizationIn(dir)
	if file == "" {
		return nil
	}
	k := &kust{dir: dir, file: file}
	data, err := t.FileSystem.ReadFile(memPath(file))
	if err == nil {
		k.in, err = input.YAML(file, data)
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

// fileKeys are the fields through which kustomize's builtin generators,
// transformers and validators read files: a configMapGenerator's files,
// envs and env, a PatchTransformer's or ReplacementTransformer's path, and
// the like.
var fileKeys = map[string]bool{"files": true, "envs": true, "env": true, "path": true, "paths": true,
	"configurations": true, "resources": true, "crds": true}

// fileSources lists the URLs a plugin configuration (or a list of them)
// names as files, with where, at any depth.
func fileSources(v any, at []any) []ref {
	var out []ref
	var walk func(v any, at []any, fileKey bool, depth int)
	walk = func(v any, at []any, fileKey bool, depth int) {
		if depth > 64 {
			return
		}
		switch v := v.(type) {
		case map[string]any:
			for key, sub := range v {
				walk(sub, append(append([]any(nil), at...), key), fileKeys[key], depth+1)
			}
		case []any:
			for i, sub := range v {
				walk(sub, append(append([]any(nil), at...), i), fileKey, depth+1)
			}
		case string:
			if !fileKey {
				return
			}
			// files: [key=path]
			s := v
			if _, p, ok := strings.Cut(v, "="); ok && !strings.Contains(v[:strings.Index(v, "=")], "/") {
				s = p
			}
			// kustomize's loader fetches http(s) paths; a file name
			// may hold an @ (not remote() here).
			if strings.Contains(strings.ToLower(s), "://") {
				out = append(out, ref{v, at})
			}
		}
	}
	walk(v, at, false, 0)
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

// Unfetched is a part of a kustomization that offline rendering cannot
// reach (a remote base, a Helm chart): not a mistake in the repository,
// so the check names it and goes on with the rest, never an error.
type Unfetched struct{ *report.InputError }

func (u *Unfetched) Unwrap() error { return u.InputError }

// localFile reports whether ref, not a URL, names a file in the tree:
// kustomize reads a file before it tries a reference as a repository, so
// "app@v2.yaml" beside the kustomization is that file.
func (t *memTree) localFile(dir, ref string) bool {
	if strings.Contains(ref, "://") || path.IsAbs(ref) {
		return false
	}
	p := memPath(path.Clean(pathJoin(dir, ref)))
	return t.FileSystem.Exists(p) && !t.FileSystem.IsDir(p)
}

// offline lists what a kustomization would fetch: remote references,
// file sources of its generators, transformers and validators (inline, or
// in the files it names) that are URLs, and Helm charts, each an error at
// its line. kustomize's loader fetches an http(s) path itself, before any
// file system is asked, so a URL is refused here, wherever kustomize
// takes a file from.
func (k *kust) offline(t *memTree) []error {
	var errs []error
	for _, r := range k.refs() {
		if remote(r.value) && !t.localFile(k.dir, r.value) {
			errs = append(errs, &Unfetched{&report.InputError{File: k.file, Line: k.line(r.at...),
				Msg: "remote " + r.at[0].(string) + " entry " + r.value + " is not fetched: rendering is offline, so this kustomization is not checked; vendor it into the repository to check it"}})
		}
	}
	for _, f := range []string{"generators", "transformers", "validators"} {
		list, _ := k.m[f].([]any)
		for i, v := range list {
			switch v := v.(type) {
			case map[string]any: // an inline plugin configuration
				for _, u := range fileSources(v, []any{f, i}) {
					errs = append(errs, &report.InputError{File: k.file, Line: k.line(u.at...),
						Msg: "the " + f + " entry reads " + u.value + ": a URL is not fetched, rendering is offline; vendor the file into the repository"})
				}
			case string: // a file of plugin configurations
				if remote(v) {
					continue // refused above, as a reference
				}
				file := path.Clean(pathJoin(k.dir, v))
				data, err := t.FileSystem.ReadFile(memPath(file))
				if err != nil || t.FileSystem.IsDir(memPath(file)) {
					continue // kustomize says what is wrong with it
				}
				in, err := input.YAML(file, data)
				if err != nil {
					continue
				}
				for _, u := range fileSources(in.Value, nil) {
					errs = append(errs, &report.InputError{File: file, Line: in.Line(u.at),
						Msg: "this " + strings.TrimSuffix(f, "s") + " configuration reads " + u.value + ": a URL is not fetched, rendering is offline; vendor the file into the repository"})
				}
			}
		}
	}
	for _, f := range []string{"helmCharts", "helmChartInflationGenerator"} {
		if f == "helmCharts" && t.helm != nil {
			continue // rendered by inflate
		}
		if _, ok := k.m[f]; ok {
			errs = append(errs, &Unfetched{&report.InputError{File: k.file, Line: k.line(f),
				Msg: f + " needs a chart download and helm: not rendered offline, so this kustomization is not checked; render the chart into the repository (helm template) to check it"}})
		}
	}
	return errs
}

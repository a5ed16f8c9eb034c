package kustomize

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/kyaml/kio"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/plumbline/plumbline/pkg/helm"
	"github.com/plumbline/plumbline/pkg/report"
)

// generatedDir is where, inside a kustomization's directory in memory, a
// helmCharts entry's rendered manifest is written for kustomize to read
// as a resource.
const generatedDir = ".plumbline-helm"

// inflate renders the helmCharts entries of the kustomizations a build of
// dir reads, as kustomize's HelmChartInflationGenerator would run helm
// template (a chart under chartHome, else the cache for a repo and
// version), and rewrites those kustomizations in memory to take the
// output as resources. restore puts them back. Each object a chart
// rendered is placed at its entry (t.generated), or at the values line
// that set a field.
func inflate(ctx context.Context, t *memTree, opt *HelmOptions, all map[string]*kust, dir string) (restore func(), errs []error) {
	var undo []func()
	restore = func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	for _, k := range reachable(all, dir, t) {
		list, _ := k.m["helmCharts"].([]any)
		if k.m == nil || len(list) == 0 {
			continue
		}
		var files []string
		for i, v := range list {
			e, _ := v.(map[string]any)
			r, err := chartsEntry(t, opt, k, i, e)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			b := renderRelease(ctx, t, opt, r)
			if b.Err != nil {
				errs = append(errs, b.Err)
				continue
			}
			name := fmt.Sprintf("%s/%d-%s.yaml", generatedDir, i, safeName(str(e["name"])))
			file := path.Join(k.dir, name)
			out, err := markGenerated(b.YAML)
			if err != nil {
				errs = append(errs, &report.InputError{File: k.file, Line: r.Line, Msg: r.Label() + ": " + err.Error()})
				continue
			}
			if err := t.FileSystem.WriteFile(memPath(file), out); err != nil {
				errs = append(errs, err)
				continue
			}
			t.generated[file] = r
			undo = append(undo, func() { _ = t.FileSystem.RemoveAll(memPath(path.Join(k.dir, generatedDir))) })
			files = append(files, name)
		}
		if len(errs) > 0 {
			return restore, errs
		}
		orig, err := t.FileSystem.ReadFile(memPath(k.file))
		if err != nil {
			return restore, []error{err}
		}
		rewritten, err := withGenerated(orig, files)
		if err != nil {
			return restore, []error{&report.InputError{File: k.file, Line: k.line("helmCharts"), Msg: err.Error()}}
		}
		if err := t.FileSystem.WriteFile(memPath(k.file), rewritten); err != nil {
			return restore, []error{err}
		}
		undo = append(undo, func() { _ = t.FileSystem.WriteFile(memPath(k.file), orig) })
	}
	return restore, nil
}

// markGenerated annotates every object of a chart's output as kustomize's
// generator does: its namespace transformer leaves them to helm, and the
// annotation is gone from the output.
func markGenerated(manifest []byte) ([]byte, error) {
	nodes, err := (&kio.ByteReader{Reader: bytes.NewReader(manifest), OmitReaderAnnotations: true}).Read()
	if err != nil {
		return nil, fmt.Errorf("the chart rendered YAML kustomize cannot read: %w", err)
	}
	for _, n := range nodes {
		if err := n.PipeE(kyaml.SetAnnotation(konfig.HelmGeneratedAnnotation, "true")); err != nil {
			return nil, err
		}
	}
	var out bytes.Buffer
	if err := (&kio.ByteWriter{Writer: &out}).Write(nodes); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// withGenerated is a kustomization without helmCharts and helmGlobals,
// whose resources end with the rendered files: kustomize applies its
// transformers to a chart's output as to any resource.
func withGenerated(data []byte, files []string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("helmCharts: the kustomization is not a mapping")
	}
	m := doc.Content[0]
	var kept []*yaml.Node
	var resources *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		switch m.Content[i].Value {
		case "helmCharts", "helmGlobals":
			continue
		case "resources":
			resources = m.Content[i+1]
		}
		kept = append(kept, m.Content[i], m.Content[i+1])
	}
	if resources == nil {
		resources = &yaml.Node{Kind: yaml.SequenceNode}
		kept = append(kept, &yaml.Node{Kind: yaml.ScalarNode, Value: "resources"}, resources)
	}
	if resources.Kind != yaml.SequenceNode {
		return nil, errors.New("resources is not a list")
	}
	for _, f := range files {
		resources.Content = append(resources.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: f})
	}
	m.Content = kept
	return yaml.Marshal(&doc)
}

// chartsEntry is a helmCharts entry as a release: its chart under
// chartHome (helmGlobals.chartHome, default "charts"; NAME-VERSION/NAME
// with a repo and version, as kustomize pulls it), else from the cache.
func chartsEntry(t *memTree, opt *HelmOptions, k *kust, i int, e map[string]any) (*Release, error) {
	at := fileLocatorOf(k).sub("helmCharts", i)
	name := str(e["name"])
	r := &Release{Kind: "helmCharts", Name: name, File: k.file, Line: k.line("helmCharts", i)}
	if name == "" || strings.HasPrefix(name, "-") || strings.HasPrefix(str(e["releaseName"]), "-") {
		return nil, &report.InputError{File: k.file, Line: r.Line, Msg: "helmCharts: a chart name (and a release name) that does not start with -"}
	}
	home := "charts"
	if g, ok := k.m["helmGlobals"].(map[string]any); ok && str(g["chartHome"]) != "" {
		home = str(g["chartHome"])
	}
	repo, version := str(e["repo"]), str(e["version"])
	base := path.Join(k.dir, home)
	if repo != "" && version != "" {
		base = path.Join(base, name+"-"+version)
	}
	dir := path.Clean(path.Join(base, name))
	switch {
	case strings.HasPrefix(dir, "../") || path.IsAbs(home):
		return nil, &report.InputError{File: k.file, Line: r.Line, Msg: "helmCharts: chartHome " + home + " is outside the repository"}
	case t.FileSystem.Exists(memPath(path.Join(dir, "Chart.yaml"))):
		r.chartDir = dir
	case repo != "":
		r.repo, r.chart, r.version = repo, name, version
		if r.version == "" {
			r.version = "*"
		}
	default:
		return nil, &Unfetched{&report.InputError{File: k.file, Line: r.Line,
			Msg: "helmCharts: no chart " + name + " under " + path.Join(k.dir, home) + " and no repo to find it in the chart cache"}}
	}
	r.opt = helm.Options{ReleaseName: str(e["releaseName"]), Namespace: str(e["namespace"]), KubeVersion: opt.KubeVersion,
		APIVersions: opt.APIVersions, IncludeCRDs: e["includeCRDs"] == true, SkipTests: e["skipTests"] == true, NoHooks: e["skipHooks"] == true}
	if v := str(e["nameTemplate"]); v != "" {
		r.opt.ReleaseName = v
	}
	r.capabilities(e)
	// The values: valuesFile (default the chart's values.yaml), merged
	// with valuesInline as valuesMerge says (override, the default: inline
	// wins; merge: the file wins; replace: inline alone), then
	// additionalValuesFiles.
	fileValues := func() error {
		if vf := str(e["valuesFile"]); vf != "" {
			f := path.Clean(path.Join(k.dir, vf))
			data, err := t.FileSystem.ReadFile(memPath(f))
			if err != nil || strings.HasPrefix(f, "../") {
				return &report.InputError{File: k.file, Line: lineOf(at, "valuesFile"), Msg: "helmCharts: valuesFile " + vf + " is not in the repository"}
			}
			r.addValuesFile(f, data)
			return nil
		}
		r.opt.Values.Files = append(r.opt.Values.Files, helm.File{Name: helm.InChart + "values.yaml"})
		return nil
	}
	inline, _ := e["valuesInline"].(map[string]any)
	switch merge := str(e["valuesMerge"]); {
	case len(inline) == 0:
		if err := fileValues(); err != nil {
			return nil, err
		}
	case merge == "replace":
		r.addInline(at.sub("valuesInline"), inline)
	case merge == "merge":
		r.addInline(at.sub("valuesInline"), inline)
		if err := fileValues(); err != nil {
			return nil, err
		}
	case merge == "" || merge == "override":
		if err := fileValues(); err != nil {
			return nil, err
		}
		r.addInline(at.sub("valuesInline"), inline)
	default:
		return nil, &report.InputError{File: k.file, Line: lineOf(at, "valuesMerge"), Msg: "helmCharts: valuesMerge " + merge + ": want override, merge or replace"}
	}
	if list, ok := e["additionalValuesFiles"].([]any); ok {
		for j, v := range list {
			f := path.Clean(path.Join(k.dir, str(v)))
			data, err := t.FileSystem.ReadFile(memPath(f))
			if err != nil || strings.HasPrefix(f, "../") {
				return nil, &report.InputError{File: k.file, Line: lineOf(at, "additionalValuesFiles", j), Msg: "helmCharts: additionalValuesFiles " + str(v) + " is not in the repository"}
			}
			r.addValuesFile(f, data)
		}
	}
	if r.opt.ReleaseName == "" {
		// kustomize passes --generate-name: a name of the moment; the
		// name helm template uses without one instead, so runs agree.
		r.opt.ReleaseName = "release-name"
	}
	return r, nil
}

func fileLocatorOf(k *kust) locator {
	return func(p []any) (string, int) { return k.file, k.line(p...) }
}

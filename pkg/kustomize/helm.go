package kustomize

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/plumbline/plumbline/pkg/input"
	"io/fs"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/pkg/helm"
	"github.com/plumbline/plumbline/pkg/report"
)

// HelmOptions say how the charts a repository deploys are rendered.
type HelmOptions struct {
	// KubeVersion is the cluster's release (.Capabilities.KubeVersion);
	// empty is Helm's default.
	KubeVersion string
	APIVersions []string
	// Cache is a directory of packaged charts, laid out as `helm pull -d
	// CACHE/HOST/PATH` leaves them: the chart NAME at VERSION of the
	// repository https://HOST/PATH (or oci://HOST/PATH) is
	// CACHE/HOST/PATH/NAME-VERSION.tgz.
	Cache string
	// RepoURLs are this repository's URLs: an Application or a
	// GitRepository naming one of them deploys from this checkout.
	RepoURLs []string
	// Fetch gets a chart the cache lacks, from the repositories it
	// allows (trusted runs only); nil renders offline.
	Fetch helm.Fetcher
}

// Release is a chart the repository deploys: an ArgoCD Application's
// Helm source, a Flux HelmRelease, or a kustomization's helmCharts entry.
type Release struct {
	Kind, Name, Namespace string
	File                  string // root-relative, where it is declared
	Line                  int

	chartDir             string // root-relative: a chart in the repository
	repo, chart, version string // else a chart of a repository, from the cache
	overlay              string // the kustomization that rendered the declaration
	values               []valuesSource
	opt                  helm.Options
	skipped              []string // what the render leaves out, said in a note
}

// Label is how findings name the release: "Application argocd/grafana".
func (r *Release) Label() string {
	l := r.Kind + " " + r.Name
	if r.Namespace != "" {
		l = r.Kind + " " + r.Namespace + "/" + r.Name
	}
	if r.overlay != "" {
		l += " (" + r.overlay + ")"
	}
	return l
}

// ChartDir is the release's chart directory in the repository, or "".
func (r *Release) ChartDir() string { return r.chartDir }

// Chart is the chart of a repository the release renders, at the version
// the cache gave (after Render), when it is not in the repository.
func (r *Release) Chart() (repo, name, version string) { return r.repo, r.chart, r.version }

// Options are the helm template flags and values the release renders
// with.
func (r *Release) Options() helm.Options { return r.opt }

// valuesSource is one set of values a release passes, and where it is
// written: a values file, or values inline in the declaring file.
type valuesSource struct {
	at    locator // where a path into value is written
	value any
}

// locator is where a path into a document is written: a plain file's
// line, or, for an object a kustomization rendered, the resource or patch
// line that set it.
type locator func(p []any) (file string, line int)

// sub is l below prefix.
func (l locator) sub(prefix ...any) locator {
	return func(p []any) (string, int) { return l(append(slices.Clone(prefix), p...)) }
}

// helmDocs are the documents of the repository's YAML files that may
// declare a release or a chart source.
type helmDocs struct {
	releases []*Release
	sources  map[string]map[string]any // "Kind ns/name" of Flux sources
	errs     []error
}

var releaseMarks = [][]byte{[]byte("argoproj.io"), []byte("helm.toolkit.fluxcd.io")}

// findReleases lists the releases the repository declares: in the
// objects the kustomizations rendered (a HelmRelease as its overlay's
// patches leave it), and in every YAML file no kustomization read that
// names ArgoCD or Flux.
func findReleases(t *memTree, opt *HelmOptions, builds []*Build, consumed map[string]bool) *helmDocs {
	h := &helmDocs{sources: map[string]map[string]any{}}
	var decls []decl
	for _, b := range builds {
		if b.Err != nil || b.Helm != nil {
			continue
		}
		for _, o := range b.Objects {
			m, _ := o.Value.(map[string]any)
			if m == nil {
				continue
			}
			api, _ := m["apiVersion"].(string)
			switch {
			case strings.HasPrefix(api, "source.toolkit.fluxcd.io/"):
				h.sources[o.Kind+" "+o.Namespace+"/"+o.Name] = m
			case strings.HasPrefix(api, "argoproj.io/") && o.Kind == "Application",
				strings.HasPrefix(api, "helm.toolkit.fluxcd.io/") && o.Kind == "HelmRelease":
				decls = append(decls, decl{o.Locate, m, b.Dir})
			}
		}
	}
	_ = t.FileSystem.Walk("/", func(p string, fi fs.FileInfo, err error) error {
		if err != nil || fi.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			return nil
		}
		if consumed[relPath(p)] || isChartTemplate(t, p) {
			return nil
		}
		data, err := t.FileSystem.ReadFile(p)
		if err != nil || !slices.ContainsFunc(releaseMarks, func(m []byte) bool { return bytes.Contains(data, m) }) &&
			!bytes.Contains(data, []byte("source.toolkit.fluxcd.io")) {
			return nil
		}
		file := relPath(p)
		in, err := input.YAML(file, data)
		if err != nil {
			return nil // policy-check reports the file
		}
		docs, multi := in.Value.([]any)
		if !multi {
			docs = []any{in.Value}
		}
		for i, d := range docs {
			m, _ := d.(map[string]any)
			if m == nil {
				continue
			}
			var at []any
			if multi {
				at = []any{i}
			}
			api, _ := m["apiVersion"].(string)
			kind, _ := m["kind"].(string)
			switch {
			case strings.HasPrefix(api, "source.toolkit.fluxcd.io/"):
				ns, name := metaOf(m)
				h.sources[kind+" "+ns+"/"+name] = m
			case strings.HasPrefix(api, "argoproj.io/") && kind == "Application",
				strings.HasPrefix(api, "helm.toolkit.fluxcd.io/") && kind == "HelmRelease":
				decls = append(decls, decl{fileLocator(file, in).sub(at...), m, ""})
			}
		}
		return nil
	})
	h.add(t, opt, decls)
	return h
}

// decl is an Application or HelmRelease, plain or rendered by a
// kustomization (overlay: its directory).
type decl struct {
	at      locator
	m       map[string]any
	overlay string
}

func (h *helmDocs) add(t *memTree, opt *HelmOptions, decls []decl) {
	for _, d := range decls {
		var rs []*Release
		var err error
		if d.m["kind"] == "Application" {
			rs, err = applicationReleases(t, opt, d.at, d.m)
		} else {
			var r *Release
			r, err = helmRelease(t, opt, h.sources, d.at, d.m)
			if r != nil {
				rs = []*Release{r}
			}
		}
		for _, r := range rs {
			r.overlay = d.overlay
		}
		h.releases = append(h.releases, rs...)
		if err != nil {
			h.errs = append(h.errs, err)
		}
	}
}

func fileLocator(file string, in *input.Input) locator {
	return func(p []any) (string, int) { return file, in.Line(p) }
}

// at is the release's declaration line of path p (below the document).
func lineOf(l locator, p ...any) int {
	_, line := l(p)
	return line
}

// isChartTemplate: a file under a chart's templates/ is Go template, not
// YAML.
func isChartTemplate(t *memTree, p string) bool {
	for d := path.Dir(p); d != "/" && d != "."; d = path.Dir(d) {
		if path.Base(d) == "templates" && t.FileSystem.Exists(path.Join(path.Dir(d), "Chart.yaml")) {
			return true
		}
	}
	return false
}

func metaOf(m map[string]any) (ns, name string) {
	meta, _ := m["metadata"].(map[string]any)
	ns, _ = meta["namespace"].(string)
	name, _ = meta["name"].(string)
	return ns, name
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// ours reports whether url names this repository.
func ours(opt *HelmOptions, url string) bool {
	norm := func(u string) string {
		u = strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(u)), "/"), ".git")
		for _, p := range []string{"https://", "http://", "ssh://", "git@"} {
			u = strings.TrimPrefix(u, p)
		}
		if i := strings.IndexByte(u, '@'); i >= 0 {
			u = u[i+1:]
		}
		return strings.Replace(u, ":", "/", 1)
	}
	for _, r := range opt.RepoURLs {
		if r != "" && norm(r) == norm(url) {
			return true
		}
	}
	return false
}

// applicationReleases are an Application's Helm sources: a path in this
// repository holding a Chart.yaml (and no kustomization, which ArgoCD
// would take first), or a chart of a Helm repository.
func applicationReleases(t *memTree, opt *HelmOptions, at locator, m map[string]any) ([]*Release, error) {
	file, _ := at(nil)
	ns, name := metaOf(m)
	spec, _ := m["spec"].(map[string]any)
	dest, _ := spec["destination"].(map[string]any)
	var srcs []any
	var srcPath []any
	if list, ok := spec["sources"].([]any); ok {
		srcs, srcPath = list, []any{"spec", "sources"}
	} else if s, ok := spec["source"].(map[string]any); ok {
		srcs = []any{s}
	}
	refs := map[string]map[string]any{}
	for _, s := range srcs {
		if sm, ok := s.(map[string]any); ok && str(sm["ref"]) != "" {
			refs[str(sm["ref"])] = sm
		}
	}
	var out []*Release
	var errs []error
	for i, s := range srcs {
		sm, _ := s.(map[string]any)
		if sm == nil {
			continue
		}
		p := []any{"spec", "source"}
		if srcPath != nil {
			p = append(slices.Clone(srcPath), i)
		}
		hs, _ := sm["helm"].(map[string]any)
		src := at.sub(p...)
		f, l := src(nil)
		if f == "" {
			f = file
		}
		r := &Release{Kind: "Application", Name: name, Namespace: ns, File: f, Line: l}
		switch {
		case str(sm["chart"]) != "":
			r.repo, r.chart, r.version = str(sm["repoURL"]), str(sm["chart"]), str(sm["targetRevision"])
		case str(sm["path"]) != "" && ours(opt, str(sm["repoURL"])):
			dir := path.Clean(str(sm["path"]))
			isChart := t.FileSystem.Exists(memPath(path.Join(dir, "Chart.yaml")))
			if !isChart || hs == nil && t.kustomizationIn(memPath(dir)) != "" {
				continue // a kustomization or plain manifests: rendered as such
			}
			r.chartDir = dir
		default:
			continue // another repository's path, or a ref-only source
		}
		r.opt = helm.Options{ReleaseName: name, Namespace: str(dest["namespace"]), KubeVersion: opt.KubeVersion,
			APIVersions: opt.APIVersions, IncludeCRDs: true}
		if hs != nil {
			if v := str(hs["releaseName"]); v != "" {
				r.opt.ReleaseName = v
			}
			if v := str(hs["namespace"]); v != "" {
				r.opt.Namespace = v
			}
			r.capabilities(hs)
			r.opt.IncludeCRDs = hs["skipCrds"] != true
			r.opt.SkipTests = hs["skipTests"] == true
			if err := r.argoValues(t, opt, src.sub("helm"), hs, refs); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if r.opt.Namespace == "" {
			r.opt.Namespace = "default"
		}
		out = append(out, r)
	}
	return out, errors.Join(errs...)
}

// argoValues are a Helm source's values as ArgoCD passes them: valueFiles
// (relative to the chart, or $ref/ to a ref source), then values or
// valuesObject (as one more file), then parameters as --set.
func (r *Release) argoValues(t *memTree, opt *HelmOptions, at locator, hs map[string]any, refs map[string]map[string]any) error {
	ignoreMissing := hs["ignoreMissingValueFiles"] == true
	list, _ := hs["valueFiles"].([]any)
	for i, v := range list {
		name := str(v)
		var file string
		switch {
		case strings.HasPrefix(name, "$"):
			ref, rest, _ := strings.Cut(name[1:], "/")
			src := refs[ref]
			if src == nil || !ours(opt, str(src["repoURL"])) {
				r.skipped = append(r.skipped, "values file "+name+" (another repository)")
				continue
			}
			file = path.Clean(rest)
		case strings.Contains(name, "://"):
			r.skipped = append(r.skipped, "values file "+name+" (not fetched: rendering is offline)")
			continue
		case r.chartDir != "":
			file = path.Clean(path.Join(r.chartDir, name))
		default:
			// A file inside a chart from the cache: read with the chart.
			r.opt.Values.Files = append(r.opt.Values.Files, helm.File{Name: helm.InChart + path.Clean(name)})
			continue
		}
		data, err := t.FileSystem.ReadFile(memPath(file))
		if err != nil || strings.HasPrefix(file, "../") {
			if ignoreMissing {
				continue
			}
			return &report.InputError{File: r.File, Line: lineOf(at, "valueFiles", i),
				Msg: r.Label() + ": values file " + name + " does not exist in the repository (ArgoCD fails to render it; ignoreMissingValueFiles skips it)"}
		}
		r.addValuesFile(file, data)
	}
	if vo, ok := hs["valuesObject"].(map[string]any); ok {
		r.addInline(at.sub("valuesObject"), vo)
	} else if s := str(hs["values"]); strings.TrimSpace(s) != "" {
		r.addValuesString(at.sub("values"), s)
	}
	params, _ := hs["parameters"].([]any)
	for i, v := range params {
		pm, _ := v.(map[string]any)
		set := str(pm["name"]) + "=" + fmt.Sprint(pm["value"])
		// Traced as a value at its path (a plain dotted name; helm's
		// escapes and list indexes are left to helm).
		var leaf any = fmt.Sprint(pm["value"])
		keys := strings.Split(str(pm["name"]), ".")
		for j := len(keys) - 1; j >= 0; j-- {
			leaf = map[string]any{keys[j]: leaf}
		}
		f, l := at([]any{"parameters", i, "value"})
		r.values = append(r.values, valuesSource{value: leaf,
			at: func([]any) (string, int) { return f, l }})
		if pm["forceString"] == true {
			r.opt.Values.SetString = append(r.opt.Values.SetString, set)
		} else {
			r.opt.Values.Set = append(r.opt.Values.Set, set)
		}
	}
	return nil
}

// capabilities takes kubeVersion and apiVersions from a Helm source's
// settings (ArgoCD's helm, a helmCharts entry: the same keys).
func (r *Release) capabilities(m map[string]any) {
	if v := str(m["kubeVersion"]); v != "" {
		r.opt.KubeVersion = v
	}
	if list, ok := m["apiVersions"].([]any); ok {
		for _, a := range list {
			r.opt.APIVersions = append(r.opt.APIVersions, str(a))
		}
	}
}

func (r *Release) addValuesFile(file string, data []byte) {
	r.opt.Values.Files = append(r.opt.Values.Files, helm.File{Name: file, Data: data})
	if vin, err := input.YAML(file, data); err == nil {
		r.values = append(r.values, valuesSource{at: fileLocator(file, vin), value: vin.Value})
	}
}

// addInline passes values written in the declaring file, as the file
// ArgoCD and Flux hand helm.
func (r *Release) addInline(at locator, v map[string]any) {
	data, err := yaml.Marshal(v)
	if err != nil {
		return
	}
	r.opt.Values.Files = append(r.opt.Values.Files, helm.File{Name: r.File + " (values)", Data: data})
	r.values = append(r.values, valuesSource{at: at, value: v})
}

// addValuesString passes a values block (ArgoCD's helm.values), whose
// lines follow its key's; helm says what is wrong with one that is not
// YAML.
func (r *Release) addValuesString(at locator, s string) {
	r.opt.Values.Files = append(r.opt.Values.Files, helm.File{Name: r.File + " (values)", Data: []byte(s)})
	file, offset := at(nil)
	if vin, err := input.YAML(file, []byte(s)); err == nil && file != "" {
		r.values = append(r.values, valuesSource{value: vin.Value, at: func(p []any) (string, int) {
			if l := vin.Line(p); l > 0 {
				return file, l + offset
			}
			return "", 0
		}})
	}
}

// helmRelease is a Flux HelmRelease: its chart from a GitRepository of
// this repository, or from a HelmRepository or OCIRepository (the cache).
func helmRelease(t *memTree, opt *HelmOptions, sources map[string]map[string]any, at locator, m map[string]any) (*Release, error) {
	ns, name := metaOf(m)
	spec, _ := m["spec"].(map[string]any)
	file, line := at(nil)
	r := &Release{Kind: "HelmRelease", Name: name, Namespace: ns, File: file, Line: line}
	target := str(spec["targetNamespace"])
	r.opt = helm.Options{ReleaseName: name, Namespace: ns, KubeVersion: opt.KubeVersion, APIVersions: opt.APIVersions, IncludeCRDs: true, SkipTests: true}
	if target != "" {
		r.opt.Namespace = target
		r.opt.ReleaseName = target + "-" + name
	}
	if v := str(spec["releaseName"]); v != "" {
		r.opt.ReleaseName = v
	}
	if r.opt.Namespace == "" {
		r.opt.Namespace = "default"
	}
	if tm, ok := spec["test"].(map[string]any); ok && tm["enable"] == true {
		r.opt.SkipTests = false
	}
	if im, ok := spec["install"].(map[string]any); ok && (str(im["crds"]) == "Skip") {
		r.opt.IncludeCRDs = false
	}
	source := func(ref map[string]any) (map[string]any, string) {
		kind, sn := str(ref["kind"]), str(ref["name"])
		sns := str(ref["namespace"])
		if sns == "" {
			sns = ns
		}
		if s := sources[kind+" "+sns+"/"+sn]; s != nil {
			return s, kind
		}
		// A source in a file with no namespace (a kustomization sets it).
		for k, s := range sources {
			if strings.HasPrefix(k, kind+" ") && strings.HasSuffix(k, "/"+sn) {
				return s, kind
			}
		}
		return nil, kind
	}
	chartPath := []any{"spec", "chart", "spec"}
	if ref, ok := spec["chartRef"].(map[string]any); ok {
		s, kind := source(ref)
		if s == nil || kind != "OCIRepository" {
			r.skipped = append(r.skipped, fmt.Sprintf("chartRef %s %s (not in the repository)", kind, str(ref["name"])))
			return r, nil
		}
		ss, _ := s["spec"].(map[string]any)
		u := str(ss["url"])
		refm, _ := ss["ref"].(map[string]any)
		i := strings.LastIndexByte(u, '/')
		if i < 0 {
			return r, nil
		}
		r.repo, r.chart, r.version = u[:i], u[i+1:], str(refm["tag"])
		if r.version == "" {
			r.version = str(refm["semver"])
		}
		chartPath = []any{"spec", "chartRef"}
	} else {
		cs, _ := dig(spec, "chart", "spec").(map[string]any)
		ref, _ := cs["sourceRef"].(map[string]any)
		s, kind := source(ref)
		ss, _ := s["spec"].(map[string]any)
		switch {
		case s == nil:
			r.skipped = append(r.skipped, fmt.Sprintf("chart source %s %s (not in the repository)", kind, str(ref["name"])))
			return r, nil
		case kind == "GitRepository":
			if !ours(opt, str(ss["url"])) {
				r.skipped = append(r.skipped, "chart from GitRepository "+str(ref["name"])+" (another repository)")
				return r, nil
			}
			r.chartDir = path.Clean(strings.TrimPrefix(str(cs["chart"]), "./"))
		case kind == "HelmRepository":
			r.repo, r.chart, r.version = str(ss["url"]), str(cs["chart"]), str(cs["version"])
		default:
			r.skipped = append(r.skipped, "chart source "+kind)
			return r, nil
		}
		if list, ok := cs["valuesFiles"].([]any); ok {
			for _, v := range list {
				if r.chartDir != "" {
					f := path.Clean(path.Join(r.chartDir, str(v)))
					if data, err := t.FileSystem.ReadFile(memPath(f)); err == nil {
						r.addValuesFile(f, data)
					}
				} else {
					r.opt.Values.Files = append(r.opt.Values.Files, helm.File{Name: helm.InChart + path.Clean(str(v))})
				}
			}
		}
	}
	if r.version == "" && r.repo != "" {
		r.version = "*"
	}
	if list, ok := spec["valuesFrom"].([]any); ok && len(list) > 0 {
		r.skipped = append(r.skipped, "valuesFrom (ConfigMaps and Secrets of the cluster)")
	}
	if v, ok := spec["values"].(map[string]any); ok {
		r.addInline(at.sub("spec", "values"), v)
	}
	if f, l := at(chartPath); f != "" && l > 0 {
		r.File, r.Line = f, l
	}
	return r, nil
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// renderRelease renders one release into a Build whose objects place a
// field at the values line that set it, when one did, else at the
// release's declaration: a chart's own templates are never blamed.
func renderRelease(ctx context.Context, t *memTree, opt *HelmOptions, r *Release) *Build {
	b := &Build{Dir: r.Label(), File: r.File, Helm: r}
	at := func(msg string) *report.InputError {
		return &report.InputError{File: r.File, Line: r.Line, Msg: r.Label() + ": " + msg}
	}
	if r.chartDir == "" && r.repo == "" {
		b.Err = &Unfetched{at("not rendered: " + strings.Join(r.skipped, ", "))}
		return b
	}
	files, archive, err := chartFiles(ctx, t, opt, r)
	if err != nil {
		var uf *Unfetched
		if errors.As(err, &uf) {
			uf.File, uf.Line, uf.Msg = r.File, r.Line, r.Label()+": "+uf.Msg
			b.Err = uf
		} else {
			b.Err = at(err.Error())
		}
		return b
	}
	out, err := helm.RenderIsolated(ctx, files, archive, r.opt)
	if err != nil {
		b.Err = at(err.Error())
		return b
	}
	b.YAML = []byte(out.Manifest)
	for _, s := range out.SchemaSkipped {
		r.skipped = append(r.skipped, "values.schema.json's reference to "+s+" (values not checked against it)")
	}
	for _, d := range out.Docs {
		in, err := input.YAML(d.Source, []byte(d.Content))
		if err != nil {
			b.Err = at("the chart rendered YAML that does not parse (" + d.Source + "): " + err.Error())
			return b
		}
		docs, multi := in.Value.([]any)
		if !multi {
			docs = []any{in.Value}
		}
		for _, v := range docs {
			m, _ := v.(map[string]any)
			if m == nil || r.Kind == "Application" && argoIgnores(m) {
				continue
			}
			ns, name := metaOf(m)
			o := &Object{Value: m, Kind: str(m["kind"]), Name: name, Namespace: ns, home: loc{r.File, r.Line}}
			o.trace = r.tracer(m)
			b.Objects = append(b.Objects, o)
		}
	}
	for _, s := range r.skipped {
		b.Warnings = append(b.Warnings, "rendered without "+s)
	}
	return b
}

// tracer places a rendered field at the values line that set it: a
// scalar of the user's values equal to the field's (the one under the
// same key first, the values passed last first: they win), else a string
// of the values that is a part of the field's (an image's tag), else the
// one value of the user's equal to it.
func (r *Release) tracer(obj any) func(p []any) (string, int) {
	return func(p []any) (string, int) {
		v := valueAt(obj, p)
		switch v.(type) {
		case nil, map[string]any, []any:
			return "", 0
		}
		key := ""
		for i := len(p) - 1; i >= 0 && key == ""; i-- {
			key, _ = p[i].(string)
		}
		want := fmt.Sprint(v)
		s, _ := v.(string)
		parts := strings.FieldsFunc(s, func(c rune) bool { return strings.ContainsRune(":/@=, ", c) })
		type hit struct {
			vs    *valuesSource
			path  []any
			score int
		}
		// A short value (3, true) is taken from another key only when
		// the user's values hold it once.
		equal := 0
		for _, vs := range r.values {
			walkLeaves(vs.value, nil, func(_ []any, lv any) {
				if fmt.Sprint(lv) == want {
					equal++
				}
			})
		}
		var best hit
		for i := len(r.values) - 1; i >= 0; i-- {
			vs := &r.values[i]
			walkLeaves(vs.value, nil, func(lp []any, lv any) {
				lk, _ := lp[len(lp)-1].(string)
				ls := fmt.Sprint(lv)
				score := 0
				switch {
				case ls == want && lk == key:
					score = 4
				case ls == want && len(s) >= 4:
					score = 3
				case len(ls) >= 3 && slices.Contains(parts, ls) && len(parts) > 1:
					score = 2
				case ls == want && equal == 1:
					score = 1
				}
				if score > best.score {
					best = hit{vs, slices.Clone(lp), score}
				}
			})
		}
		if best.vs == nil {
			return "", 0
		}
		file, line := best.vs.at(best.path)
		if line == 0 {
			return "", 0
		}
		return file, line
	}
}

// argoIgnores: ArgoCD syncs a Helm hook only as a PreSync or PostSync
// hook (pre-/post-install and -upgrade); a test or delete hook never
// reaches the cluster.
func argoIgnores(m map[string]any) bool {
	meta, _ := m["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	h, ok := ann["helm.sh/hook"].(string)
	if !ok || strings.TrimSpace(h) == "crd-install" {
		return false
	}
	for _, t := range strings.Split(h, ",") {
		switch strings.TrimSpace(t) {
		case "pre-install", "pre-upgrade", "post-install", "post-upgrade":
			return false
		}
	}
	return true
}

// walkLeaves calls f with the path and value of every scalar under v.
func walkLeaves(v any, p []any, f func([]any, any)) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			walkLeaves(v[k], append(p, k), f)
		}
	case []any:
		for i, e := range v {
			walkLeaves(e, append(p, i), f)
		}
	case nil:
	default:
		if len(p) > 0 {
			f(p, v)
		}
	}
}

// chartFiles are a release's chart: the files of its directory in the
// repository, with the dependencies its charts/ lacks (file:// ones from
// the repository, the others from the cache, as `helm dependency build`
// would vendor them), or the packaged chart from the cache.
func chartFiles(ctx context.Context, t *memTree, opt *HelmOptions, r *Release) ([]helm.File, []byte, error) {
	if r.chartDir == "" {
		data, v, err := packagedChart(ctx, opt, r.repo, r.chart, r.version)
		if err != nil {
			return nil, nil, err
		}
		r.version = v
		return nil, data, nil
	}
	files, err := dirFiles(t, r.chartDir, "")
	if err != nil {
		return nil, nil, err
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("chart directory %s is empty or missing", r.chartDir)
	}
	deps, err := missingDeps(files)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range deps {
		switch {
		case strings.HasPrefix(d.repo, "file://"):
			dir := path.Clean(path.Join(r.chartDir, strings.TrimPrefix(d.repo, "file://")))
			if strings.HasPrefix(dir, "../") || dir == ".." {
				return nil, nil, fmt.Errorf("dependency %s: %s is outside the repository", d.name, d.repo)
			}
			more, err := dirFiles(t, dir, "charts/"+d.name+"/")
			if err != nil {
				return nil, nil, err
			}
			files = append(files, more...)
		case d.repo == "":
			// helm says it is missing
		default:
			data, v, err := packagedChart(ctx, opt, d.repo, d.name, d.version)
			if err != nil {
				var uf *Unfetched
				if errors.As(err, &uf) {
					uf.Msg = "dependency " + uf.Msg
				}
				return nil, nil, err
			}
			files = append(files, helm.File{Name: "charts/" + d.name + "-" + v + ".tgz", Data: data})
		}
	}
	return files, nil, nil
}

// packagedChart is a chart of a repository: from the cache, else fetched
// when a fetcher is given. What neither gives is Unfetched: the release
// is named, not rendered, and the rest is checked.
func packagedChart(ctx context.Context, opt *HelmOptions, repo, name, version string) ([]byte, string, error) {
	data, v, err := helm.Cache(opt.Cache).Find(repo, name, version)
	var nc *helm.NotCached
	if !errors.As(err, &nc) {
		return data, v, err
	}
	if opt.Fetch == nil {
		return nil, "", &Unfetched{&report.InputError{Msg: nc.Error()}}
	}
	data, v, err = opt.Fetch.Fetch(ctx, repo, name, version)
	if err != nil {
		var refused *helm.Refused
		if errors.As(err, &refused) {
			return nil, "", &Unfetched{&report.InputError{Msg: nc.Error() + "; " + err.Error()}}
		}
		return nil, "", &Unfetched{&report.InputError{Msg: "not rendered: " + err.Error()}}
	}
	return data, v, nil
}

// dirFiles are the files under dir in the tree, named prefix + their
// path below dir.
func dirFiles(t *memTree, dir, prefix string) ([]helm.File, error) {
	var out []helm.File
	total := int64(0)
	root := memPath(dir)
	err := t.FileSystem.Walk(root, func(p string, fi fs.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return nil
		}
		data, err := t.FileSystem.ReadFile(p)
		if err != nil {
			return nil
		}
		if total += int64(len(data)); total > helm.MaxChart {
			return fmt.Errorf("chart %s is larger than %d MiB", dir, helm.MaxChart>>20)
		}
		out = append(out, helm.File{Name: prefix + strings.TrimPrefix(p, root+"/"), Data: data})
		return nil
	})
	return out, err
}

type dep struct{ name, repo, version string }

// missingDeps are the dependencies Chart.yaml names that charts/ does not
// hold, as a directory or an archive.
func missingDeps(files []helm.File) ([]dep, error) {
	var meta struct {
		Dependencies []struct {
			Name       string `yaml:"name"`
			Repository string `yaml:"repository"`
			Version    string `yaml:"version"`
		} `yaml:"dependencies"`
	}
	for _, f := range files {
		if f.Name == "Chart.yaml" {
			if err := yaml.Unmarshal(f.Data, &meta); err != nil {
				return nil, fmt.Errorf("Chart.yaml: %w", err)
			}
		}
	}
	var out []dep
	for _, d := range meta.Dependencies {
		held := slices.ContainsFunc(files, func(f helm.File) bool {
			return strings.HasPrefix(f.Name, "charts/"+d.Name+"/") ||
				strings.HasPrefix(f.Name, "charts/"+d.Name+"-") && strings.HasSuffix(f.Name, ".tgz") && !strings.Contains(strings.TrimPrefix(f.Name, "charts/"), "/")
		})
		if !held {
			out = append(out, dep{d.Name, d.Repository, d.Version})
		}
	}
	return out, nil
}

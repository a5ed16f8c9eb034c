package kustomize

import (
	"fmt"
	"github.com/plumbline/plumbline/pkg/input"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/resource"

	"github.com/plumbline/plumbline/pkg/report"
)

// Object is one rendered object and the places its fields came from.
type Object struct {
	Value                 any // as a policy sees it: parsed like a YAML file
	Kind, Name, Namespace string

	sources []source // highest priority first
	home    loc      // where the object as a whole is written
	// trace, for an object a chart rendered, finds the values line that
	// set a field (file "" when none did).
	trace func(p []any) (string, int)
}

type loc struct {
	file string
	line int
}

// source is one place that wrote part of an object: the resource file's
// document, a strategic-merge patch document, a JSON patch, or a
// kustomization's images entry.
type source struct {
	file   string
	in     *input.Input
	prefix []any // the document's path inside the file
	doc    any   // the document, to follow list elements by name
	offset int   // lines before an inline patch's first line
	ops    []op  // a JSON patch's operations
	image  *imageEntry
	base   bool // the resource file: list elements may be followed by index
}

type op struct {
	path []any
	at   int // index of the operation in its document
}

type imageEntry struct {
	name string // the image name the entry's result carries
	line int
}

// ID is how reports name the object: Kind/name.
func (o *Object) ID() string { return o.Kind + "/" + o.Name }

// Locate returns the file and line that wrote the deepest part of path p
// (keys and indexes into Value): the patch or images entry that set it,
// else the resource file, else where the object is written at all.
func (o *Object) Locate(p []any) (file string, line int) {
	if o.trace != nil {
		if f, l := o.trace(p); f != "" {
			return f, l
		}
	}
	best, at := -1, o.home
	for _, s := range o.sources {
		n, l := s.locate(o.Value, p)
		if n > best && l > 0 {
			best, at = n, loc{s.file, l}
		}
	}
	return at.file, at.line
}

func (s *source) locate(v any, p []any) (int, int) {
	switch {
	case s.image != nil:
		if len(p) >= 3 && p[len(p)-1] == "image" && containerKinds[keyOf(p[len(p)-3])] {
			if img, ok := valueAt(v, p).(string); ok && imageName(img) == s.image.name {
				return len(p), s.image.line
			}
		}
		return 0, 0
	case s.ops != nil:
		best, line := 0, 0
		for _, o := range s.ops {
			if len(o.path) > len(p) || !samePrefix(o.path, p) {
				continue
			}
			n, sp := translate(valueAt(v, o.path), opValue(s.doc, o.at), p[len(o.path):], false)
			if n += len(o.path); n > best {
				best = n
				line = s.in.Line(append(append(append([]any{}, s.prefix...), o.at, "value"), sp...))
			}
		}
		if line > 0 {
			line += s.offset
		}
		return best, line
	}
	n, sp := translate(v, s.doc, p, s.base)
	if n == 0 && !s.base {
		return 0, 0
	}
	l := s.in.Line(append(append([]any{}, s.prefix...), sp...))
	if l > 0 {
		l += s.offset
	}
	return n, l
}

var containerKinds = map[string]bool{"containers": true, "initContainers": true, "ephemeralContainers": true}

func keyOf(e any) string { s, _ := e.(string); return s }

func opValue(doc any, i int) any {
	list, _ := doc.([]any)
	if i < len(list) {
		m, _ := list[i].(map[string]any)
		return m["value"]
	}
	return nil
}

func samePrefix(a, b []any) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func valueAt(v any, p []any) any {
	for _, e := range p {
		switch k := e.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k < 0 || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// translate follows path p from the rendered value r into a source
// document s: keys as they are, list elements by their name (strategic
// merge matches containers, env, ports, volumes by name), or by index in
// the resource file itself. It returns how many elements matched and the
// path in s.
func translate(r, s any, p []any, byIndex bool) (int, []any) {
	var out []any
	for _, e := range p {
		switch k := e.(type) {
		case string:
			rm, ok1 := r.(map[string]any)
			sm, ok2 := s.(map[string]any)
			if !ok1 || !ok2 {
				return len(out), out
			}
			sv, ok := sm[k]
			if !ok {
				return len(out), out
			}
			r, s = rm[k], sv
			out = append(out, k)
		case int:
			ra, ok1 := r.([]any)
			sa, ok2 := s.([]any)
			if !ok1 || !ok2 || k < 0 || k >= len(ra) {
				return len(out), out
			}
			j := -1
			if name, ok := nameOf(ra[k]); ok {
				for i, e := range sa {
					if n, ok := nameOf(e); ok && n == name {
						j = i
						break
					}
				}
			} else if byIndex && k < len(sa) {
				j = k
			}
			if j < 0 {
				return len(out), out
			}
			r, s = ra[k], sa[j]
			out = append(out, j)
		default:
			return len(out), out
		}
	}
	return len(out), out
}

func nameOf(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	n, ok := m["name"].(string)
	return n, ok
}

// imageName is an image reference without its tag or digest.
func imageName(img string) string {
	if i := strings.IndexByte(img, '@'); i >= 0 {
		img = img[:i]
	}
	if i := strings.LastIndexByte(img, ':'); i > strings.LastIndexByte(img, '/') {
		img = img[:i]
	}
	return img
}

// fill turns kustomize's output into Objects with their sources.
func (b *Build) fill(m resmap.ResMap, keepOrigin bool, all map[string]*kust, dir string, t *memTree) error {
	files := map[string]*input.Input{}
	read := func(file string) *input.Input {
		if in, ok := files[file]; ok {
			return in
		}
		data, err := t.FileSystem.ReadFile(memPath(file))
		var in *input.Input
		if err == nil {
			in, _ = input.YAML(file, data)
		}
		files[file] = in
		return in
	}
	chain := reachable(all, dir, t)
	origins := make([]*resource.Origin, m.Size())
	for i, r := range m.Resources() {
		origins[i], _ = r.GetOrigin()
	}
	if !keepOrigin {
		if err := m.RemoveOriginAnnotations(); err != nil {
			return err
		}
	}
	out, err := m.AsYaml()
	if err != nil {
		return err
	}
	b.YAML = out
	for i, r := range m.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			return err
		}
		in, err := input.YAML(b.File, y)
		if err != nil {
			return err
		}
		o := &Object{Value: in.Value, Kind: r.GetKind(), Name: r.GetName(), Namespace: r.GetNamespace(),
			home: loc{b.File, 1}}
		for _, k := range chain {
			o.sources = append(o.sources, k.sourcesFor(o, read, t)...)
		}
		if og := origins[i]; og != nil && og.Repo == "" {
			if og.Path != "" {
				file := path.Clean(pathJoin(dir, og.Path))
				if r := t.generated[file]; r != nil {
					// A helmCharts entry's output: the entry, or the
					// values line that set a field.
					o.home = loc{r.File, r.Line}
					o.trace = r.tracer(o.Value)
				} else if in := read(file); in != nil {
					prefix, doc := pickDoc(in.Value, o)
					o.sources = append(o.sources, source{file: file, in: in, prefix: prefix, doc: doc, base: true})
					o.home = loc{file, in.Line(prefix)}
				}
			} else if og.ConfiguredIn != "" {
				o.home = generatorHome(all, path.Clean(pathJoin(dir, og.ConfiguredIn)), o)
			}
		}
		b.Objects = append(b.Objects, o)
	}
	b.Unused = unused(chain, b.Objects)
	return nil
}

// unused finds the patches with a target and the images entries of the
// kustomizations built that change nothing in the output. Only kind and
// name are compared (other selectors count as met), so a patch reported
// here matches nothing for certain.
func unused(chain []*kust, objects []*Object) []*report.InputError {
	if len(objects) == 0 {
		// Nothing rendered (flux bootstrap's placeholder
		// gotk-components.yaml, a comment until bootstrap writes it):
		// a patch cannot match what is not there yet, and says nothing.
		return nil
	}
	images := map[string]bool{}
	for _, o := range objects {
		collectImages(o.Value, "", images)
	}
	var out []*report.InputError
	for _, k := range chain {
		if k.m == nil {
			continue
		}
		for _, f := range []string{"patches", "patchesJson6902"} {
			list, _ := k.m[f].([]any)
			for i, v := range list {
				pm, _ := v.(map[string]any)
				tg, _ := pm["target"].(map[string]any)
				if tg == nil || slices.ContainsFunc(objects, func(o *Object) bool { return targets(tg, o) }) {
					continue
				}
				out = append(out, &report.InputError{File: k.file, Line: k.line(f, i, "target"),
					Msg: fmt.Sprintf("patch target %s matches no object: the patch changes nothing", selector(tg))})
			}
		}
		list, _ := k.m["images"].([]any)
		for i, v := range list {
			e, _ := v.(map[string]any)
			name, _ := e["name"].(string)
			result := name
			if nn, _ := e["newName"].(string); nn != "" {
				result = nn
			}
			if name == "" || images[result] || images[name] || imageMatched(images, name) {
				continue
			}
			out = append(out, &report.InputError{File: k.file, Line: k.line("images", i),
				Msg: fmt.Sprintf("images entry %s matches no container image: it changes nothing", name)})
		}
	}
	return out
}

// imageMatched reports whether an images entry's name, a regular
// expression to kustomize (ghcr.io/fluxcd/.*), matches an image in the
// output, as kustomize's image.IsImageMatched matches it. One that does
// not compile counts as matched: kustomize's own error says what is wrong.
func imageMatched(images map[string]bool, name string) bool {
	if !strings.ContainsAny(name, `.*+?[](){}|^$\`) {
		return false
	}
	re, err := regexp.Compile("^" + name + "(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$")
	if err != nil {
		return true
	}
	for image := range images {
		if re.MatchString(image) {
			return true
		}
	}
	return false
}

// collectImages gathers the names (without tag or digest) of every
// "image" string in v.
func collectImages(v any, key string, into map[string]bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			collectImages(e, k, into)
		}
	case []any:
		for _, e := range t {
			collectImages(e, key, into)
		}
	case string:
		if key == "image" {
			into[imageName(t)] = true
		}
	}
}

func selector(tg map[string]any) string {
	var parts []string
	for _, k := range []string{"group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"} {
		if v, ok := tg[k].(string); ok && v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, ",")
}

// pickDoc finds the object's document in a resource file: the one of its
// kind whose name the rendered name contains (a prefix or suffix may have
// been added), the longest such.
func pickDoc(v any, o *Object) ([]any, any) {
	list, ok := v.([]any)
	if !ok {
		return nil, v
	}
	best, at := -1, 0
	for i, d := range list {
		m, _ := d.(map[string]any)
		meta, _ := m["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		if m["kind"] == o.Kind && strings.Contains(o.Name, name) && len(name) > best {
			best, at = len(name), i
		}
	}
	if best < 0 {
		return nil, nil
	}
	return []any{at}, list[at]
}

// generatorHome is the configMapGenerator or secretGenerator entry that
// made a generated object.
func generatorHome(all map[string]*kust, file string, o *Object) loc {
	for _, k := range all {
		if k.file != file || k.m == nil {
			continue
		}
		for _, f := range []string{"configMapGenerator", "secretGenerator"} {
			list, _ := k.m[f].([]any)
			for i, g := range list {
				if n, ok := nameOf(g); ok && strings.Contains(o.Name, n) {
					return loc{file, k.line(f, i)}
				}
			}
		}
		return loc{file, 1}
	}
	return loc{file, 1}
}

// sourcesFor lists the patches and images entries of k that apply to o,
// later ones first (they win).
func (k *kust) sourcesFor(o *Object, read func(string) *input.Input, t *memTree) []source {
	if k.m == nil {
		return nil
	}
	var out []source
	// Images are set after patches, so an images entry wins a tie.
	imgs, _ := k.m["images"].([]any)
	for i := len(imgs) - 1; i >= 0; i-- {
		e, _ := imgs[i].(map[string]any)
		name, _ := e["name"].(string)
		if nn, _ := e["newName"].(string); nn != "" {
			name = nn
		}
		line := k.line("images", i)
		for _, f := range []string{"digest", "newTag", "newName"} {
			if _, ok := e[f]; ok {
				line = k.line("images", i, f)
				break
			}
		}
		out = append(out, source{file: k.file, image: &imageEntry{name: name, line: line}})
	}
	type patch struct {
		field  string
		i      int
		target map[string]any
		v      any
	}
	var patches []patch
	for _, f := range []string{"patches", "patchesJson6902", "patchesStrategicMerge"} {
		list, _ := k.m[f].([]any)
		for i, v := range list {
			pm, _ := v.(map[string]any)
			tg, _ := pm["target"].(map[string]any)
			patches = append(patches, patch{f, i, tg, v})
		}
	}
	for j := len(patches) - 1; j >= 0; j-- {
		p := patches[j]
		if p.target != nil && !targets(p.target, o) {
			continue
		}
		var in *input.Input
		file, offset := k.file, 0
		pathOf, inline := "", ""
		switch v := p.v.(type) {
		case string:
			if strings.Contains(v, "\n") {
				inline = v
			} else {
				pathOf = v
			}
		case map[string]any:
			pathOf, _ = v["path"].(string)
			inline, _ = v["patch"].(string)
		}
		switch {
		case pathOf != "":
			file = path.Clean(pathJoin(k.dir, pathOf))
			in = read(file)
		case inline != "":
			key := []any{p.field, p.i}
			if _, ok := p.v.(map[string]any); ok {
				key = append(key, "patch")
			}
			var err error
			if in, err = input.YAML(k.file, []byte(inline)); err != nil {
				in = nil
			}
			offset = k.line(key...)
		}
		if in == nil {
			continue
		}
		docs, prefixes := []any{in.Value}, [][]any{nil}
		if list, ok := in.Value.([]any); ok && !isOps(list) {
			docs, prefixes = list, make([][]any, len(list))
			for i := range list {
				prefixes[i] = []any{i}
			}
		}
		for d, doc := range docs {
			if list, ok := doc.([]any); ok && isOps(list) {
				s := source{file: file, in: in, prefix: prefixes[d], doc: doc, offset: offset}
				for i, e := range list {
					m, _ := e.(map[string]any)
					ptr, _ := m["path"].(string)
					s.ops = append(s.ops, op{path: pointer(ptr), at: i})
				}
				out = append(out, s)
				continue
			}
			if p.target == nil && !sameObject(doc, o) {
				continue
			}
			out = append(out, source{file: file, in: in, prefix: prefixes[d], doc: doc, offset: offset})
		}
	}
	return out
}

func isOps(list []any) bool {
	if len(list) == 0 {
		return false
	}
	m, ok := list[0].(map[string]any)
	_, hasOp := m["op"]
	return ok && hasOp
}

func sameObject(doc any, o *Object) bool {
	m, _ := doc.(map[string]any)
	meta, _ := m["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	return m["kind"] == o.Kind && name != "" && strings.Contains(o.Name, name)
}

// targets applies a patch target's kind and name (regular expressions,
// anchored, as kustomize reads them) to o; other selectors count as met.
func targets(tg map[string]any, o *Object) bool {
	match := func(pattern, s string) bool {
		if pattern == "" {
			return true
		}
		re, err := regexp.Compile("^(?:" + pattern + ")$")
		if err != nil {
			return pattern == s
		}
		return re.MatchString(s) || strings.Contains(s, pattern)
	}
	kind, _ := tg["kind"].(string)
	name, _ := tg["name"].(string)
	return match(kind, o.Kind) && match(name, o.Name)
}

// pointer reads a JSON pointer into path elements.
func pointer(p string) []any {
	if p == "" || p[0] != '/' {
		return nil
	}
	var out []any
	for _, part := range strings.Split(p[1:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		if n, err := strconv.Atoi(part); err == nil && n >= 0 {
			out = append(out, n)
		} else {
			out = append(out, part)
		}
	}
	return out
}

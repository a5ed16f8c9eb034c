package kustomize

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/plumbline/plumbline/pkg/input"
	"io/fs"
	"log"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tree"
)

// MaxOutput bounds what all builds of one run may render: an overlay
// copies its bases, so a pull request can multiply a file many times over
// (and every rendered object is then parsed and held for the policies).
// A variable so tests can lower it.
var MaxOutput = 64 << 20

// Options say what to render.
type Options struct {
	Root  string   // the repository; everything read lies under it
	Paths []string // where to look for kustomizations (default: Root)
	// Dirs, when set, are the kustomizations to render instead of the
	// entry points found under Paths.
	Dirs    []string
	Timeout time.Duration // for one build (default 30s)
	// Helm, when set, also renders the charts the repository deploys
	// (ArgoCD Applications' Helm sources, Flux HelmReleases), each a
	// Build after the kustomizations'.
	Helm *HelmOptions
	// Walk is the run's walk of the tree, shared with the other checks
	// of the run (nil: one of its own).
	Walk *tree.Walk
}

// Result is every build, and the files they read: those are rendered
// input, not plain manifests.
type Result struct {
	Builds   []*Build
	Consumed map[string]bool // root-relative
	// Charts are the chart directories of the repository a release
	// rendered (root-relative).
	Charts map[string]bool
	// Deprecated are the fields kustomize warns about (commonLabels,
	// bases, patchesStrategicMerge, …) in the kustomizations the builds
	// read, each at its line with kustomize's own words.
	Deprecated []*report.InputError
}

// Build is one kustomization rendered.
type Build struct {
	Dir, File string // root-relative
	Objects   []*Object
	YAML      []byte // the output as `kustomize build` prints it
	Err       error  // one or more *report.InputError: it did not build
	// Warnings are what kustomize printed while building (deprecated
	// fields), at the kustomization.
	Warnings []string
	// Unused are patches whose target and images entries whose name
	// match nothing in the output: kustomize passes over them silently,
	// and a typo in a name means the change never reaches the cluster.
	Unused []*report.InputError
	// Helm is the release a chart build renders; nil for a kustomization.
	Helm *Release
}

// Render finds the kustomizations to render (Options.Dirs, else every
// entry point) and builds each in turn: kustomize keeps global state
// (its OpenAPI schema) that two builds at once would share.
func Render(ctx context.Context, opt Options) (*Result, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = 30 * time.Second
	}
	root, err := filepath.Abs(opt.Root)
	if err != nil {
		return nil, err
	}
	walk := opt.Walk
	if walk == nil {
		walk = tree.NewWalk()
	}
	dirs, err := findDirs(walk, root, opt.Paths)
	if err != nil {
		return nil, err
	}
	res := &Result{Consumed: map[string]bool{}, Charts: map[string]bool{}}
	if len(dirs) == 0 && len(opt.Dirs) == 0 && opt.Helm == nil {
		return res, nil
	}
	t, err := load(walk, root)
	if err != nil {
		return nil, err
	}
	t.helm = opt.Helm
	all := map[string]*kust{}
	for _, d := range allKustDirs(t) {
		all[d] = t.readKust(d)
	}
	// A Component is applied only through the kustomizations that use
	// it, which are rendered: its own files (a PVC with ${VAR}s the
	// user's Flux fills in) are parts, never checked alone, used or not.
	for _, k := range all {
		if k.m == nil || !k.component() {
			continue
		}
		res.Consumed[k.file] = true
		for _, r := range k.refs() {
			if t.localFile(k.dir, r.value) {
				res.Consumed[path.Clean(pathJoin(k.dir, r.value))] = true
			}
		}
	}
	targets := slices.Clone(opt.Dirs)
	if targets == nil {
		targets = entryPoints(all, dirs, t)
	} else {
		for i, d := range targets {
			rel, err := filepath.Rel(root, absUnder(root, d))
			if err != nil || strings.HasPrefix(rel, "..") {
				return nil, fmt.Errorf("kustomization %s is outside %s", d, root)
			}
			targets[i] = filepath.ToSlash(rel)
			if all[targets[i]] == nil {
				return nil, fmt.Errorf("%s: no kustomization.yaml, kustomization.yml or Kustomization", d)
			}
		}
	}
	res.Deprecated = deprecations(all, targets, t)
	// kustomize prints its warnings with the standard logger, and those
	// about deprecated fields straight to os.Stderr: they belong to the
	// build (Warnings, Deprecated), not on the check's stderr, where they
	// would tear a progress line.
	defer quietStderr()()
	var logged syncBuffer
	defer log.SetOutput(log.Writer())
	defer log.SetFlags(log.Flags())
	log.SetOutput(&logged)
	log.SetFlags(0)
	stuck, rendered := "", 0
	for _, d := range targets {
		b := &Build{Dir: d, File: all[d].file}
		res.Builds = append(res.Builds, b)
		res.Consumed[b.File] = true
		// A kustomization not built still owns its patches: half an
		// object, never to be checked as if it were applied alone.
		for _, f := range patchFiles(all, d, t) {
			res.Consumed[f] = true
		}
		if stuck != "" {
			b.Err = &report.InputError{File: b.File, Msg: "not rendered: " + stuck}
			continue
		}
		if errs := reachableOffline(all, d, t); len(errs) > 0 {
			b.Err = errors.Join(errs...)
			continue
		}
		undo := func() {}
		if opt.Helm != nil {
			var errs []error
			undo, errs = inflate(ctx, t, opt.Helm, all, d)
			if len(errs) > 0 {
				undo()
				b.Err = errors.Join(errs...)
				continue
			}
		}
		restore := func() {
			undo()
			for f, r := range t.generated {
				if r.chartDir != "" {
					res.Charts[r.chartDir] = true
				}
				delete(t.generated, f)
			}
		}
		logged.Reset()
		m, keep, timedOut, err := build(ctx, t, all[d], opt.Timeout)
		for _, l := range strings.Split(strings.TrimSpace(logged.String()), "\n") {
			if l = strings.TrimPrefix(strings.TrimSpace(l), "# "); l != "" && !slices.Contains(b.Warnings, l) {
				b.Warnings = append(b.Warnings, l)
			}
		}
		for _, f := range t.taken() {
			if t.generated[f] == nil {
				res.Consumed[f] = true
			}
		}

		if timedOut {
			stuck = "an earlier kustomization did not finish within its time"
		}
		if err != nil {
			restore()
			b.Err = placeError(err, all, d, t)
			continue
		}
		if err := b.fill(m, keep, all, d, t); err != nil {
			b.Err = placeError(err, all, d, t)
		}
		restore()
		if rendered += len(b.YAML); rendered > MaxOutput {
			b.Objects, b.YAML, b.Unused = nil, nil, nil
			b.Err = &report.InputError{File: b.File, Msg: fmt.Sprintf("not checked: the kustomizations rendered so far came to more than %d MiB", MaxOutput>>20)}
			stuck = fmt.Sprintf("the kustomizations rendered before it came to more than %d MiB", MaxOutput>>20)
		}
	}
	if opt.Helm != nil {
		res.Builds = append(res.Builds, renderReleases(ctx, t, opt.Helm, res, &rendered)...)
	}
	return res, nil
}

// renderReleases renders every release the repository declares, within
// what is left of MaxOutput.
func renderReleases(ctx context.Context, t *memTree, opt *HelmOptions, res *Result, rendered *int) []*Build {
	h := findReleases(t, opt, res.Builds, res.Consumed)
	var out []*Build
	for _, err := range h.errs {
		for _, e := range flatten(err) {
			var ie *report.InputError
			if errors.As(e, &ie) {
				out = append(out, &Build{Dir: ie.File, File: ie.File, Err: ie})
			}
		}
	}
	// Each chart renders in a process of its own: as many at once as
	// there are CPUs, taken in order.
	builds := make([]*Build, len(h.releases))
	sem := make(chan struct{}, max(1, runtime.NumCPU()))
	var wg sync.WaitGroup
	for i, r := range h.releases {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			builds[i] = renderRelease(ctx, t, opt, r)
		}()
	}
	wg.Wait()
	for i, b := range builds {
		r := h.releases[i]
		if *rendered > MaxOutput {
			b = &Build{Dir: r.Label(), File: r.File, Helm: r, Err: &report.InputError{File: r.File, Line: r.Line,
				Msg: fmt.Sprintf("%s: not checked: what was rendered before it came to more than %d MiB", r.Label(), MaxOutput>>20)}}
		}
		if r.chartDir != "" && b.Err == nil {
			res.Charts[r.chartDir] = true
		}
		*rendered += len(b.YAML)
		out = append(out, b)
	}
	return out
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

func absUnder(root, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	if a, err := filepath.Abs(p); err == nil && statDir(a) {
		return a
	}
	return filepath.Join(root, p)
}

// findDirs lists root-relative directories under paths with a
// kustomization file.
func findDirs(walk *tree.Walk, root string, paths []string) ([]string, error) {
	if len(paths) == 0 {
		paths = []string{root}
	}
	var out []string
	for _, p := range paths {
		abs := absUnder(root, p)
		if !statDir(abs) {
			continue
		}
		entries, err := walk.Entries(abs)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.Dir() || !IsKustomization(e.Name()) {
				continue
			}
			rel, err := filepath.Rel(root, filepath.Dir(e.Path))
			if err == nil && !strings.HasPrefix(rel, "..") {
				out = append(out, filepath.ToSlash(rel))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func allKustDirs(t *memTree) []string {
	var out []string
	_ = t.FileSystem.Walk("/", func(p string, fi fs.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && IsKustomization(p) {
			out = append(out, relPath(path.Dir(p)))
		}
		return nil
	})
	slices.Sort(out)
	return slices.Compact(out)
}

// entryPoints are the kustomizations under dirs that no other
// kustomization in the repository takes as a resource or component, and
// are not components themselves: what ArgoCD Applications point at.
func entryPoints(all map[string]*kust, dirs []string, t *memTree) []string {
	used := map[string]bool{}
	for _, k := range all {
		if k.m == nil {
			continue
		}
		for _, b := range k.bases(t) {
			if b != k.dir {
				used[b] = true
			}
		}
	}
	var out []string
	for _, d := range dirs {
		k := all[d]
		if k == nil || used[d] || k.m != nil && k.component() {
			continue
		}
		out = append(out, d)
	}
	return out
}

// reachable lists the kustomizations a build of dir reads, dir first.
func reachable(all map[string]*kust, dir string, t *memTree) []*kust {
	var out []*kust
	seen := map[string]bool{}
	var walk func(d string)
	walk = func(d string) {
		k := all[d]
		if k == nil || seen[d] {
			return
		}
		seen[d] = true
		out = append(out, k)
		if k.m != nil {
			for _, b := range k.bases(t) {
				walk(b)
			}
		}
	}
	walk(dir)
	return out
}

// patchFiles are the patch files the kustomizations reachable from dir
// name (patches, patchesStrategicMerge, patchesJson6902), as repository
// paths, whether or not they build.
func patchFiles(all map[string]*kust, dir string, t *memTree) []string {
	var out []string
	add := func(k *kust, v any) {
		if s, ok := v.(string); ok && s != "" && !strings.Contains(s, "\n") && !remote(s) {
			out = append(out, path.Clean(pathJoin(k.dir, s)))
		}
	}
	for _, k := range reachable(all, dir, t) {
		if k.m == nil {
			continue
		}
		for _, f := range []string{"patches", "patchesJson6902"} {
			list, _ := k.m[f].([]any)
			for _, v := range list {
				if m, ok := v.(map[string]any); ok {
					add(k, m["path"])
				}
			}
		}
		list, _ := k.m["patchesStrategicMerge"].([]any)
		for _, v := range list {
			add(k, v)
		}
	}
	return out
}

func reachableOffline(all map[string]*kust, dir string, t *memTree) []error {
	var errs []error
	for _, k := range reachable(all, dir, t) {
		if k.m != nil {
			errs = append(errs, k.offline(t)...)
		}
	}
	return errs
}

// errTimeout is a build that did not finish in its time.
var errTimeout = errors.New("kustomize did not finish")

// build runs krusty on one kustomization with origin annotations turned
// on in its in-memory copy (and taken off the output again unless the
// kustomization asked for them), in a goroutine it can give up on: a
// pathological kustomization must not hang the check, nor a panic in
// kustomize crash it.
func build(ctx context.Context, t *memTree, k *kust, timeout time.Duration) (m resmap.ResMap, keepOrigin, timedOut bool, err error) {
	orig, err := t.FileSystem.ReadFile(memPath(k.file))
	if err != nil {
		return nil, false, false, err
	}
	withOrigin, asked := addOrigin(orig)
	if withOrigin != nil {
		if err := t.FileSystem.WriteFile(memPath(k.file), withOrigin); err != nil {
			return nil, false, false, err
		}
	}
	type out struct {
		m   resmap.ResMap
		err error
	}
	done := make(chan out, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- out{err: fmt.Errorf("kustomize failed: %v", p)}
			}
		}()
		// Unspecified sorts as the kustomize CLI (and so ArgoCD) does by
		// default: legacy order, unless the kustomization sets sortOptions.
		opts := krusty.MakeDefaultOptions()
		opts.Reorder = krusty.ReorderOptionUnspecified
		m, err := krusty.MakeKustomizer(opts).Run(t, memPath(k.dir))
		done <- out{m, err}
	}()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	select {
	case o := <-done:
		if withOrigin != nil {
			_ = t.FileSystem.WriteFile(memPath(k.file), orig)
		}
		return o.m, asked || withOrigin == nil, false, o.err
	case <-ctx.Done():
		return nil, false, true, fmt.Errorf("%w within %s", errTimeout, timeout)
	}
}

// addOrigin returns the kustomization with originAnnotations added to its
// buildMetadata, and whether it had them already; nil when it cannot be
// read as a mapping (kustomize will report that).
func addOrigin(data []byte) ([]byte, bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, false
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "buildMetadata" {
			continue
		}
		list := m.Content[i+1]
		if list.Kind != yaml.SequenceNode {
			return nil, false
		}
		for _, n := range list.Content {
			if n.Value == types.OriginAnnotations {
				return nil, true
			}
		}
		list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: types.OriginAnnotations})
		out, err := yaml.Marshal(&doc)
		if err != nil {
			return nil, false
		}
		return out, false
	}
	m.Content = append(m.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Value: "buildMetadata"},
		&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: types.OriginAnnotations}}})
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return nil, false
	}
	return out, false
}

// placeError puts kustomize's message at the line of the kustomization
// entry it names (the longest one the message quotes), else at the top of
// the kustomization built.
func placeError(err error, all map[string]*kust, dir string, t *memTree) error {
	msg := cleanMessage(err.Error())
	top := all[dir]
	best, at := 0, &report.InputError{File: top.file, Msg: msg}
	var ie *report.InputError
	if errors.As(top.err, &ie) {
		// Not YAML: our parser's line, kustomize's message.
		at.Line = ie.Line
	}
	for _, k := range reachable(all, dir, t) {
		if k.m == nil {
			continue
		}
		// A strategic-merge patch that matches nothing: kustomize names
		// the object the patch file names.
		for _, r := range k.refs() {
			if f := r.at[0]; f != "patches" && f != "patchesStrategicMerge" {
				continue
			}
			data, err := t.FileSystem.ReadFile(memPath(path.Clean(pathJoin(k.dir, r.value))))
			if err != nil {
				continue
			}
			in, err := input.YAML(r.value, data)
			if err != nil {
				continue
			}
			docs, ok := in.Value.([]any)
			if !ok {
				docs = []any{in.Value}
			}
			for _, d := range docs {
				m, _ := d.(map[string]any)
				meta, _ := m["metadata"].(map[string]any)
				if name, _ := meta["name"].(string); name != "" && len(name) > best && strings.Contains(msg, "/"+name+".") {
					best = len(name)
					at = &report.InputError{File: k.file, Line: k.line(r.at...), Msg: msg}
				}
			}
		}
		for _, r := range k.refs() {
			if len(r.value) > best && strings.Contains(msg, r.value) {
				best = len(r.value)
				at = &report.InputError{File: k.file, Line: k.line(r.at...), Msg: msg}
			}
		}
		for _, f := range []string{"patches", "patchesJson6902"} {
			list, _ := k.m[f].([]any)
			for i, v := range list {
				pm, _ := v.(map[string]any)
				tg, _ := pm["target"].(map[string]any)
				if name, _ := tg["name"].(string); name != "" && len(name) > best && strings.Contains(msg, name) {
					best = len(name)
					at = &report.InputError{File: k.file, Line: k.line(f, i), Msg: msg}
				}
			}
		}
	}
	if errors.Is(err, errTimeout) {
		at.Line = top.line()
	}
	if m := dupKey.FindStringSubmatch(msg); m != nil {
		// yaml.v3 names neither the file nor the resource: the one among
		// the builds' resources that has the key at that line.
		line, _ := strconv.Atoi(m[1])
		for _, k := range reachable(all, dir, t) {
			for _, r := range k.refs() {
				if r.at[0] != "resources" || !t.localFile(k.dir, r.value) {
					continue
				}
				file := path.Clean(pathJoin(k.dir, r.value))
				data, err := t.FileSystem.ReadFile(memPath(file))
				if err != nil {
					continue
				}
				lines := strings.Split(string(data), "\n")
				if line <= len(lines) && strings.HasPrefix(strings.TrimLeft(lines[line-1], " -"), m[2]+":") {
					return &report.InputError{File: file, Line: line, Msg: msg}
				}
			}
		}
	}
	return at
}

// dupKey is yaml.v3's complaint about a key written twice.
var dupKey = regexp.MustCompile(`line (\d+): mapping key "([^"]+)" already defined`)

// cleanMessage makes kustomize's in-memory paths root-relative.
func cleanMessage(msg string) string {
	var b strings.Builder
	for _, f := range strings.SplitAfter(msg, " ") {
		trim := strings.TrimLeft(f, "'\"")
		if strings.HasPrefix(trim, "/") && !strings.HasPrefix(trim, "//") {
			f = f[:len(f)-len(trim)] + trim[1:]
		}
		b.WriteString(f)
	}
	return b.String()
}

// syncBuffer is a buffer a build that ran out of time may still write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

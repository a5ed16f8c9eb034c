package policy

import (
	"context"
	"errors"
	"fmt"
	"github.com/plumbline/plumbline/pkg/input"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/plumbline/plumbline/pkg/kube"
	"github.com/plumbline/plumbline/pkg/kustomize"
	"github.com/plumbline/plumbline/pkg/policy/parser"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tree"
)

// The runner: every input file parsed and evaluated on --jobs workers,
// each with its own prepared queries (eval.go), or, with --combine, all
// files evaluated as one input as conftest does.

// run is one policy-check run's shared state.
type run struct {
	c          *Check
	e          *Engine
	walk       *tree.Walk // the run's one walk of the tree
	namespaces []string
	fixed      parser.Parser
	files      []string
	rels       []string // files as reports name them, made once per file
	results    []fileResult
	// builds are the rendered kustomizations among files, by index.
	builds map[int]*kustomize.Build
	// target is the cluster's Kubernetes release (--kubernetes-version),
	// nil when not given.
	target *kube.Release
	// tree reads the files under the working directory through one open
	// root; nil when it could not be opened.
	tree *tree.Reader
	// outside reads files outside the working directory (a PATH given
	// absolute), each under its own directory, as tree.RootFor says; one
	// open reader per directory.
	outside   map[string]*tree.Reader
	outsideMu sync.Mutex
	// release drops a file's parsed input once its findings are placed:
	// the schema check and --combine read every input after evaluation.
	release bool
}

type fileResult struct {
	// input is nil once the file's findings are placed when no later
	// pass reads it (release): the parsed values are most of the live
	// heap, and the collector's goal is a multiple of it.
	input  *input.Input
	parsed bool
	// findings are the policies' findings in document order, placed;
	// exceptions counts the outcomes that were exceptions.
	findings   []report.Finding
	exceptions int
	err        error
}

// located is an outcome and the document it came from.
type located struct {
	Outcome
	file  int   // index into run.files; -1 for a combined finding
	doc   []any // path of the document inside the file's value
	input *input.Input
}

// start parses and evaluates every document of every file on --jobs
// workers. Each worker evaluates the documents of a file it has just
// parsed (the value is still in its cache, and no stage waits for the
// slowest file of another); the documents of a file of many (a 2,000-object
// manifest) are shared out among all workers after the files. Policies
// that read data.plumbline need every input parsed first (AppProjects may
// be anywhere), and --combine evaluates all at once: then parsing and
// evaluation are two stages. Results land by file and document index, so
// output order is fixed.
func (r *run) start(ctx context.Context) error {
	if rd, err := tree.NewReader(tree.Root(".")); err == nil {
		r.tree = rd
		defer rd.Close()
	}
	defer func() {
		for _, rd := range r.outside {
			rd.Close()
		}
	}()
	r.rels = make([]string, len(r.files))
	cwd, _ := os.Getwd()
	jobs := min(r.c.jobs, len(r.files))
	staged := r.e.usesRepo || r.c.combine
	var workers []*worker
	if !staged {
		var err error
		if workers, err = r.workers(ctx, jobs); err != nil {
			return err
		}
	}
	perFile := make([][]docResult, len(r.files))
	var (
		mu    sync.Mutex
		later []document // documents of many-document files
	)
	each(jobs, len(r.files), func(j, i int) {
		if cwd != "" {
			r.rels[i], _ = report.RelTo(cwd, r.files[i])
		} else {
			r.rels[i], _ = report.RelPath(r.files[i])
		}
		in, err := r.parse(i)
		r.results[i] = fileResult{input: in, parsed: in != nil, err: err}
		if staged || err != nil || in == nil {
			return
		}
		docs := fileDocuments(i, in)
		perFile[i] = make([]docResult, len(docs))
		if len(docs) > inlineDocs {
			mu.Lock()
			later = append(later, docs...)
			mu.Unlock()
			return
		}
		for k, d := range docs {
			perFile[i][k] = r.evalDoc(ctx, workers[j], d.file, d.path, d.v)
		}
		r.place(i, perFile[i])
		perFile[i] = nil
	})
	if staged {
		if r.e.usesRepo { // before any worker copies the data
			r.e.setRepository(r.repository(tree.Root(".")))
		}
		if r.c.combine {
			return nil
		}
		for i, fr := range r.results {
			if fr.err == nil && fr.input != nil {
				docs := fileDocuments(i, fr.input)
				perFile[i] = make([]docResult, len(docs))
				later = append(later, docs...)
			}
		}
		var err error
		if workers, err = r.workers(ctx, min(r.c.jobs, len(later))); err != nil {
			return err
		}
	}
	each(min(len(workers), len(later)), len(later), func(j, t int) {
		d := later[t]
		k := 0
		if d.path != nil {
			k = d.path[0].(int)
		}
		perFile[d.file][k] = r.evalDoc(ctx, workers[j], d.file, d.path, d.v)
	})
	for i, docs := range perFile {
		if docs != nil {
			r.place(i, docs)
		}
	}
	return nil
}

// place turns file i's outcomes into findings, in document order up to
// its first error, and releases its input when nothing later reads it.
func (r *run) place(i int, docs []docResult) {
	fr := &r.results[i]
	n := 0
	for _, d := range docs {
		n += len(d.outcomes)
	}
	fr.findings = make([]report.Finding, 0, n)
	for _, d := range docs {
		for _, o := range d.outcomes {
			fr.findings = append(fr.findings, r.finding(o))
			if o.Kind == Exception {
				fr.exceptions++
			}
		}
		if d.err != nil {
			fr.err = d.err
			break
		}
	}
	if r.release {
		fr.input = nil
	}
}

// inlineDocs is how many documents a file may have for the worker that
// parsed it to evaluate them all itself.
const inlineDocs = 8

// workers prepares n workers' queries.
func (r *run) workers(ctx context.Context, n int) ([]*worker, error) {
	ws := make([]*worker, n)
	for j := range ws {
		w, err := r.e.newWorker(ctx, r.namespaces)
		if err != nil {
			return nil, err
		}
		ws[j] = w
	}
	return ws, nil
}

type docResult struct {
	outcomes []located
	err      error
}

// each runs f(j, i) for i in 0..n-1 on jobs goroutines, j being the
// goroutine's number. Items are taken from a counter, not a channel: no
// hand-over between goroutines per item.
func each(jobs, n int, f func(j, i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(j, i)
			}
		}()
	}
	wg.Wait()
}

func (r *run) parse(i int) (*input.Input, error) {
	if b := r.builds[i]; b != nil {
		return rendered(b), nil
	}
	file := r.files[i]
	p := r.fixed
	if p == nil {
		name, ok := parser.ForPath(file)
		if !ok {
			return nil, &report.InputError{File: file, Msg: "no parser for this file name; choose one with --parser (" + strings.Join(parser.Names(), ", ") + ")"}
		}
		p, _ = parser.New(name)
	}
	// A regular file inside the tree, within the parsers' budget: never a
	// symlink to a secret or to /dev/zero.
	var data []byte
	var err error
	if rd := r.reader(file); rd != nil {
		data, err = rd.ReadFile(file, parser.MaxFileSize)
	} else {
		data, err = tree.ReadFile(tree.RootFor(".", file), file, parser.MaxFileSize)
	}
	var te *tree.Error
	if errors.As(err, &te) {
		return nil, &report.InputError{File: file, Msg: te.Msg}
	}
	if err != nil {
		return nil, err
	}
	return p.Parse(file, data)
}

// maxOutside bounds the readers kept open for directories outside the
// working directory.
const maxOutside = 64

// reader is the open reader for file: the working directory's when file
// is inside it, else one for file's own directory (tree.RootFor's root for
// a file outside), or nil when that cannot be opened.
func (r *run) reader(file string) *tree.Reader {
	if r.tree == nil {
		return nil
	}
	if r.tree.Has(file) {
		return r.tree
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil
	}
	dir := filepath.Dir(abs)
	r.outsideMu.Lock()
	defer r.outsideMu.Unlock()
	if rd, ok := r.outside[dir]; ok {
		return rd
	}
	if len(r.outside) >= maxOutside {
		return nil // each holds open files: a file opens its own then
	}
	rd, err := tree.NewReader(dir)
	if err != nil {
		return nil
	}
	if r.outside == nil {
		r.outside = map[string]*tree.Reader{}
	}
	r.outside[dir] = rd
	return rd
}

// evalDoc evaluates one document of file i in every namespace, within
// --timeout.
func (r *run) evalDoc(ctx context.Context, w *worker, i int, path []any, doc any) docResult {
	var res docResult
	in := r.results[i].input
	ctx, cancel := context.WithTimeout(ctx, r.c.timeout)
	defer cancel()
	overlay := ""
	if b := r.builds[i]; b != nil {
		overlay = b.Dir
	}
	if err := w.setFile(ctx, r.files[i], overlay); err != nil {
		res.err = err
		return res
	}
	v, err := ast.InterfaceToValue(doc)
	if err != nil {
		res.err = fmt.Errorf("%s: %w", r.files[i], err)
		return res
	}
	for _, ns := range r.namespaces {
		outs, err := w.eval(ctx, ns, v)
		for _, o := range outs {
			res.outcomes = append(res.outcomes, located{Outcome: o, file: i, doc: path, input: in})
		}
		if err != nil {
			switch cause := context.Cause(ctx); {
			case errors.Is(cause, errMemory):
				err = fmt.Errorf("evaluation stopped: %w", cause)
			case ctx.Err() != nil:
				err = fmt.Errorf("evaluation stopped after --timeout %s: %w", r.c.timeout, err)
			}
			res.err = fmt.Errorf("%s: %w", r.files[i], err)
			return res
		}
	}
	return res
}

// combined evaluates all parsed documents as one input, as conftest's
// --combine does: [{"path": file, "contents": document}, …] sorted by path.
func (r *run) combined(ctx context.Context, rep *report.Report) error {
	type part struct {
		file int
		doc  []any
	}
	var parts []part
	var list []any
	for _, d := range r.documents() {
		parts = append(parts, part{d.file, d.path})
		list = append(list, map[string]any{"path": r.files[d.file], "contents": d.v})
	}
	// discover returns files in walk order, which is sorted per argument;
	// conftest sorts the whole list by path.
	idx := make([]int, len(list))
	for i := range idx {
		idx[i] = i
	}
	sortByPath(idx, func(i int) string { return r.files[parts[i].file] })
	sortedList := make([]any, len(list))
	sortedParts := make([]part, len(parts))
	for to, from := range idx {
		sortedList[to], sortedParts[to] = list[from], parts[from]
	}
	w, err := r.e.newWorker(ctx, r.namespaces)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, r.c.timeout)
	defer cancel()
	v, err := ast.InterfaceToValue(sortedList)
	if err != nil {
		return err
	}
	if err := w.setFile(ctx, "Combined", ""); err != nil {
		return err
	}
	for _, ns := range r.namespaces {
		outs, err := w.eval(ctx, ns, v)
		for _, o := range outs {
			l := located{Outcome: o, file: -1}
			// A path that starts with an element index points into that file.
			if p := metaPath(o.Metadata); len(p) >= 1 {
				if k, ok := p[0].(int); ok && k >= 0 && k < len(sortedParts) {
					sp := sortedParts[k]
					l.file, l.input = sp.file, r.results[sp.file].input
					l.doc = sp.doc
					if len(p) >= 2 && p[1] == "contents" {
						l.Metadata = withPath(o.Metadata, append(append([]any{}, sp.doc...), p[2:]...))
						l.doc = nil
					} else {
						l.Metadata = withPath(o.Metadata, nil)
					}
				}
			}
			rep.Findings = append(rep.Findings, r.finding(l))
			if o.Kind == Exception {
				rep.Counts["exceptions"]++
			}
		}
		if err != nil {
			return fmt.Errorf("combined input: %w", err)
		}
	}
	return nil
}

// rendered is a kustomization's output as one input: its objects as the
// documents of a multi-document file, each path placed in the file (base,
// patch, kustomization) it came from.
func rendered(b *kustomize.Build) *input.Input {
	docs := make([]any, len(b.Objects))
	for i, o := range b.Objects {
		docs[i] = o.Value
	}
	return input.Rendered(docs, func(p []any) (string, int) {
		if len(p) > 0 {
			if k, ok := p[0].(int); ok && k >= 0 && k < len(b.Objects) {
				return b.Objects[k].Locate(p[1:])
			}
		}
		return b.File, 1
	})
}

// document is one document of a parsed input: its file, its path in the
// file's value (nil, or [index] in a multi-document file) and its value.
type document struct {
	file int
	path []any
	v    any
}

// documents lists every document of every parsed input, in file order.
func (r *run) documents() []document {
	var out []document
	for i, fr := range r.results {
		if fr.input != nil {
			out = append(out, fileDocuments(i, fr.input)...)
		}
	}
	return out
}

// fileDocuments lists the documents of file i: like conftest, a file whose
// value is an array (several YAML documents, a JSON list) is checked one
// element at a time.
func fileDocuments(i int, in *input.Input) []document {
	if list, ok := in.Value.([]any); ok {
		out := make([]document, len(list))
		for k, v := range list {
			out[k] = document{i, []any{k}, v}
		}
		return out
	}
	return []document{{i, nil, in.Value}}
}

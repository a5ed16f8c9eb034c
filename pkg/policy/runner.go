package policy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

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
	namespaces []string
	fixed      parser.Parser
	files      []string
	results    []fileResult
	// builds are the rendered kustomizations among files, by index.
	builds map[int]*kustomize.Build
	// tree reads the files under the working directory through one open
	// root; nil when it could not be opened.
	tree *tree.Reader
}

type fileResult struct {
	input    *parser.Input
	outcomes []located
	err      error
}

// located is an outcome and the document it came from.
type located struct {
	Outcome
	file  int   // index into run.files; -1 for a combined finding
	doc   []any // path of the document inside the file's value
	input *parser.Input
}

// start parses every file, then, unless combining, evaluates every
// document of every file, each stage on --jobs workers: a file of 2,000
// documents keeps both cores busy as 2,000 files do. Results land by file
// and document index, so output order is fixed.
func (r *run) start(ctx context.Context) error {
	if rd, err := tree.NewReader(tree.Root(".")); err == nil {
		r.tree = rd
		defer rd.Close()
	}
	parallel(min(r.c.jobs, len(r.files)), len(r.files), func(i int) {
		in, err := r.parse(i)
		r.results[i] = fileResult{input: in, err: err}
	})
	if r.e.usesRepo { // before any worker copies the data
		r.e.setRepository(r.repository(tree.Root(".")))
	}
	if r.c.combine {
		return nil
	}
	// Like conftest, a file whose value is an array (several YAML
	// documents, a JSON list) is checked one element at a time.
	type task struct {
		file int
		path []any
		doc  any
	}
	var tasks []task
	perFile := make([][]docResult, len(r.files))
	for i, fr := range r.results {
		if fr.err != nil || fr.input == nil {
			continue
		}
		if list, ok := fr.input.Value.([]any); ok {
			for k, d := range list {
				tasks = append(tasks, task{i, []any{k}, d})
			}
			perFile[i] = make([]docResult, len(list))
			continue
		}
		tasks = append(tasks, task{i, nil, fr.input.Value})
		perFile[i] = make([]docResult, 1)
	}
	jobs := min(r.c.jobs, len(tasks))
	workers := make([]*worker, jobs)
	for j := range workers {
		w, err := r.e.newWorker(ctx, r.namespaces)
		if err != nil {
			return err
		}
		workers[j] = w
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range next {
				tk := tasks[t]
				k := 0
				if tk.path != nil {
					k = tk.path[0].(int)
				}
				perFile[tk.file][k] = r.evalDoc(ctx, w, tk.file, tk.path, tk.doc)
			}
		}()
	}
	for t := range tasks {
		next <- t
	}
	close(next)
	wg.Wait()
	// A file's outcomes in document order, up to its first error.
	for i, docs := range perFile {
		fr := &r.results[i]
		for _, d := range docs {
			fr.outcomes = append(fr.outcomes, d.outcomes...)
			if d.err != nil {
				fr.err = d.err
				break
			}
		}
	}
	return nil
}

type docResult struct {
	outcomes []located
	err      error
}

// parallel runs f(0..n-1) on jobs goroutines.
func parallel(jobs, n int, f func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

func (r *run) parse(i int) (*parser.Input, error) {
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
	if r.tree != nil && r.tree.Has(file) {
		data, err = r.tree.ReadFile(file, parser.MaxFileSize)
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
func rendered(b *kustomize.Build) *parser.Input {
	docs := make([]any, len(b.Objects))
	for i, o := range b.Objects {
		docs[i] = o.Value
	}
	return parser.Rendered(docs, func(p []any) (string, int) {
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
		if fr.input == nil {
			continue
		}
		if list, ok := fr.input.Value.([]any); ok {
			for k, v := range list {
				out = append(out, document{i, []any{k}, v})
			}
			continue
		}
		out = append(out, document{i, nil, fr.input.Value})
	}
	return out
}

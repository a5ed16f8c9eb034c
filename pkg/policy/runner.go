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

// start parses every file and, unless combining, evaluates it, on
// --jobs workers; results land by file index, so output order is fixed.
func (r *run) start(ctx context.Context) error {
	jobs := min(r.c.jobs, len(r.files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range jobs {
		var w *worker // nil when combining: workers only parse
		if !r.c.combine {
			var err error
			if w, err = r.e.newWorker(ctx, r.namespaces); err != nil {
				close(next)
				wg.Wait()
				return err
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r.results[i] = r.one(ctx, w, i)
			}
		}()
	}
	for i := range r.files {
		next <- i
	}
	close(next)
	wg.Wait()
	return nil
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
	data, err := tree.ReadFile(tree.RootFor(".", file), file, parser.MaxFileSize)
	var te *tree.Error
	if errors.As(err, &te) {
		return nil, &report.InputError{File: file, Msg: te.Msg}
	}
	if err != nil {
		return nil, err
	}
	return p.Parse(file, data)
}

func (r *run) one(ctx context.Context, w *worker, i int) fileResult {
	in, err := r.parse(i)
	if err != nil || w == nil {
		return fileResult{input: in, err: err}
	}
	fr := fileResult{input: in}
	ctx, cancel := context.WithTimeout(ctx, r.c.timeout)
	defer cancel()
	overlay := ""
	if b := r.builds[i]; b != nil {
		overlay = b.Dir
	}
	if err := w.setFile(ctx, r.files[i], overlay); err != nil {
		fr.err = err
		return fr
	}
	// Like conftest, a file whose value is an array (several YAML
	// documents, a JSON list) is checked one element at a time.
	docs, paths := []any{in.Value}, [][]any{nil}
	if list, ok := in.Value.([]any); ok {
		docs, paths = list, make([][]any, len(list))
		for k := range list {
			paths[k] = []any{k}
		}
	}
	for k, doc := range docs {
		v, err := ast.InterfaceToValue(doc)
		if err != nil {
			fr.err = fmt.Errorf("%s: %w", r.files[i], err)
			return fr
		}
		for _, ns := range r.namespaces {
			outs, err := w.eval(ctx, ns, v)
			for _, o := range outs {
				fr.outcomes = append(fr.outcomes, located{Outcome: o, file: i, doc: paths[k], input: in})
			}
			if err != nil {
				switch cause := context.Cause(ctx); {
				case errors.Is(cause, errMemory):
					err = fmt.Errorf("evaluation stopped: %w", cause)
				case ctx.Err() != nil:
					err = fmt.Errorf("evaluation stopped after --timeout %s: %w", r.c.timeout, err)
				}
				fr.err = fmt.Errorf("%s: %w", r.files[i], err)
				return fr
			}
		}
	}
	return fr
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

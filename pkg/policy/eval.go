package policy

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/plumbline/plumbline/pkg/report"
)

// Kind is what a rule's result means.
type Kind int

const (
	Failure   Kind = iota + 1 // deny, violation
	Warning                   // warn
	Exception                 // a failure or warning an exception rule excused
)

// Outcome is one message a rule produced for one input document.
type Outcome struct {
	Namespace string
	Rule      string // deny, warn_ports, …
	Kind      Kind
	Message   string
	Metadata  map[string]any // the rest of an object result, or nil
}

// ID is the stable rule id findings use: namespace/rule.
func (o Outcome) ID() string { return o.Namespace + "/" + o.Rule }

// worker evaluates documents with queries prepared once. Each worker has
// its own store because data.conftest.file differs per file; the compiled
// policies are shared.
type worker struct {
	e       *Engine
	store   storage.Store
	queries map[string]map[string]rego.PreparedEvalQuery // namespace -> rule -> query
	except  map[string]rego.PreparedEvalQuery
}

func (e *Engine) newWorker(ctx context.Context, namespaces []string) (*worker, error) {
	data := maps.Clone(e.data)
	if p, ok := data["plumbline"].(map[string]any); ok {
		// Each worker writes its own data.plumbline.input.
		data["plumbline"] = maps.Clone(p)
	}
	w := &worker{e: e, store: inmem.NewFromObject(data),
		queries: map[string]map[string]rego.PreparedEvalQuery{}, except: map[string]rego.PreparedEvalQuery{}}
	prepare := func(ns, rule string) (rego.PreparedEvalQuery, error) {
		ref := e.paths[ns].Copy().Append(ast.StringTerm(rule))
		opts := append([]func(*rego.Rego){
			rego.Query(ref.String()), rego.Compiler(e.compiler), rego.Store(w.store), rego.Runtime(e.runtime),
			rego.EnablePrintStatements(true), rego.PrintHook(e.printHook()),
		}, conftestFunctions()...)
		return rego.New(opts...).PrepareForEval(ctx)
	}
	for _, ns := range namespaces {
		w.queries[ns] = map[string]rego.PreparedEvalQuery{}
		for _, rule := range e.rules[ns] {
			q, err := prepare(ns, rule)
			if err != nil {
				return nil, fmt.Errorf("prepare %s/%s: %w", ns, rule, err)
			}
			w.queries[ns][rule] = q
		}
		if e.exception[ns] {
			q, err := prepare(ns, "exception")
			if err != nil {
				return nil, fmt.Errorf("prepare %s/exception: %w", ns, err)
			}
			w.except[ns] = q
		}
	}
	return w, nil
}

// setFile makes data.conftest.file name the input file, as conftest does,
// and data.plumbline.input say which file and overlay it is.
func (w *worker) setFile(ctx context.Context, file, overlay string) error {
	if w.e.usesRepo {
		rel, _ := report.RelPath(file)
		err := storage.Txn(ctx, w.store, storage.WriteParams, func(txn storage.Transaction) error {
			return w.store.Write(ctx, txn, storage.AddOp, storage.Path{"plumbline", "input"},
				map[string]any{"file": rel, "overlay": overlay})
		})
		if err != nil {
			return err
		}
	}
	if !w.e.usesFile {
		return nil
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	return storage.Txn(ctx, w.store, storage.WriteParams, func(txn storage.Transaction) error {
		return w.store.Write(ctx, txn, storage.AddOp, storage.Path{"conftest"},
			map[string]any{"file": map[string]any{"name": filepath.Base(abs), "dir": filepath.Dir(abs)}})
	})
}

// eval runs every rule of ns on one document, with conftest's semantics:
// an exception naming a rule (without its deny_/warn_ prefix) excuses all
// of that rule's results.
func (w *worker) eval(ctx context.Context, ns string, input ast.Value) ([]Outcome, error) {
	var excepted []string
	if q, ok := w.except[ns]; ok {
		v, err := setValue(ctx, q, input)
		if err != nil {
			return nil, fmt.Errorf("%s/exception: %w", ns, err)
		}
		for _, entry := range v {
			if names, ok := entry.([]any); ok {
				for _, n := range names {
					if s, ok := n.(string); ok {
						excepted = append(excepted, s)
					}
				}
			}
		}
	}
	var out []Outcome
	for _, rule := range w.e.rules[ns] {
		bare := unprefixed(rule)
		n := 0
		for _, x := range excepted {
			if x == bare {
				n++
			}
		}
		if n > 0 {
			for range n {
				out = append(out, Outcome{Namespace: ns, Rule: rule, Kind: Exception,
					Message: fmt.Sprintf("excepted by data.%s.exception (%q)", ns, bare)})
			}
			continue
		}
		v, err := setValue(ctx, w.queries[ns][rule], input)
		if err != nil {
			return out, fmt.Errorf("%s/%s: %w", ns, rule, err)
		}
		kind := Warning
		if failureRule.MatchString(rule) {
			kind = Failure
		}
		for _, x := range v {
			o := Outcome{Namespace: ns, Rule: rule, Kind: kind}
			switch x := x.(type) {
			case string:
				o.Message = x
			case map[string]any:
				msg, ok := x["msg"].(string)
				if !ok {
					return out, fmt.Errorf("%s/%s: a result object needs a string \"msg\" (got %v)", ns, rule, x)
				}
				o.Message = msg
				o.Metadata = x
			default:
				return out, fmt.Errorf("%s/%s: a result must be a string or an object with \"msg\", not %T", ns, rule, x)
			}
			out = append(out, o)
		}
	}
	return out, nil
}

// setValue evaluates a set rule; undefined and non-set values give nothing,
// as in conftest.
func setValue(ctx context.Context, q rego.PreparedEvalQuery, input ast.Value) ([]any, error) {
	rs, err := q.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, nil
	}
	v, _ := rs[0].Expressions[0].Value.([]any)
	return v, nil
}

func unprefixed(rule string) string {
	for _, p := range []string{"violation", "deny", "warn"} {
		if rule == p {
			return ""
		}
		if len(rule) > len(p)+1 && rule[:len(p)+1] == p+"_" {
			return rule[len(p)+1:]
		}
	}
	return rule
}

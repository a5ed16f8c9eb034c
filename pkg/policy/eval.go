package policy

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"strconv"
	"strings"

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
	e     *Engine
	store storage.Store
	// all is one query per namespace for all its rules: one evaluation
	// per input, so helper rules the rules share are computed once, not
	// once per rule. queries (per rule) are prepared only when all fails,
	// to name the rule that failed.
	all     map[string]rego.PreparedEvalQuery
	queries map[string]map[string]rego.PreparedEvalQuery // namespace -> rule -> query
	except  map[string]rego.PreparedEvalQuery
	prepare func(ns, query string) (rego.PreparedEvalQuery, error)
	file    string // what setFile last set
}

func (e *Engine) newWorker(ctx context.Context, namespaces []string) (*worker, error) {
	data := maps.Clone(e.data)
	if p, ok := data["plumbline"].(map[string]any); ok {
		// Each worker writes its own data.plumbline.input.
		data["plumbline"] = maps.Clone(p)
	}
	w := &worker{e: e, store: inmem.NewFromObject(data), all: map[string]rego.PreparedEvalQuery{},
		queries: map[string]map[string]rego.PreparedEvalQuery{}, except: map[string]rego.PreparedEvalQuery{}}
	w.prepare = func(ns, query string) (rego.PreparedEvalQuery, error) {
		opts := append([]func(*rego.Rego){
			rego.Query(query), rego.Compiler(e.compiler), rego.Store(w.store), rego.Runtime(e.runtime),
			rego.EnablePrintStatements(true), rego.PrintHook(e.printHook()),
		}, conftestFunctions()...)
		return rego.New(opts...).PrepareForEval(ctx)
	}
	prepare := func(ns, rule string) (rego.PreparedEvalQuery, error) {
		return w.prepare(ns, e.ruleRef(ns, rule))
	}
	for _, ns := range namespaces {
		w.queries[ns] = map[string]rego.PreparedEvalQuery{}
		if len(e.rules[ns]) > 0 {
			q, err := w.prepare(ns, e.allQuery(ns))
			if err != nil {
				return nil, fmt.Errorf("prepare %s: %w", ns, err)
			}
			w.all[ns] = q
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
	key := file + "\x00" + overlay
	if key == w.file {
		return nil // the same file's next document
	}
	w.file = key
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
	values, err := w.evalAll(ctx, ns, input)
	if err != nil {
		if ctx.Err() != nil {
			// Stopped (time, memory): all rules ran as one query; name
			// the rule when there is only one.
			if rules := w.e.rules[ns]; len(rules) == 1 {
				return nil, fmt.Errorf("%s/%s: %w", ns, rules[0], err)
			}
			return nil, fmt.Errorf("%s: %w", ns, err)
		}
		values = nil // rule by rule below, to say which one failed
	}
	var out []Outcome
	for i, rule := range w.e.rules[ns] {
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
		var v []any
		if values != nil {
			v = values[i]
		} else if v, err = w.evalRule(ctx, ns, rule, input); err != nil {
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

// evalAll evaluates every rule of ns on one input in one query; the
// result is each rule's set, in e.rules order.
func (w *worker) evalAll(ctx context.Context, ns string, input ast.Value) ([][]any, error) {
	out := make([][]any, len(w.e.rules[ns]))
	q, ok := w.all[ns]
	if !ok {
		return out, nil // a namespace without rules
	}
	rs, err := q.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return out, nil
	}
	for i := range out {
		// [x | x := data.ns.rule]: empty when the rule is undefined.
		if wrapped, _ := rs[0].Bindings[allVar(i)].([]any); len(wrapped) == 1 {
			out[i], _ = wrapped[0].([]any)
		}
	}
	return out, nil
}

// evalRule evaluates one rule, preparing its query on first use.
func (w *worker) evalRule(ctx context.Context, ns, rule string, input ast.Value) ([]any, error) {
	q, ok := w.queries[ns][rule]
	if !ok {
		var err error
		if q, err = w.prepare(ns, w.e.ruleRef(ns, rule)); err != nil {
			return nil, err
		}
		w.queries[ns][rule] = q
	}
	return setValue(ctx, q, input)
}

// ruleRef is the query for one rule: data.<package>.<rule>.
func (e *Engine) ruleRef(ns, rule string) string {
	return e.paths[ns].Copy().Append(ast.StringTerm(rule)).String()
}

// allQuery is one query binding every rule of ns, each wrapped in an
// array comprehension so an undefined rule leaves the others defined.
func (e *Engine) allQuery(ns string) string {
	parts := make([]string, len(e.rules[ns]))
	for i, rule := range e.rules[ns] {
		parts[i] = fmt.Sprintf("%s := [x | x := %s]", allVar(i), e.ruleRef(ns, rule))
	}
	return strings.Join(parts, "; ")
}

func allVar(i int) string { return "r" + strconv.Itoa(i) }

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

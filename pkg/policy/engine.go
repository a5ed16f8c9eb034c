package policy

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/topdown/print"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tree"
	"github.com/plumbline/plumbline/pkg/version"
	"github.com/plumbline/plumbline/policies"
)

// The rules conftest evaluates, by name.
var (
	failureRule = regexp.MustCompile(`^(deny|violation)(_[a-zA-Z0-9]+)*$`)
	warningRule = regexp.MustCompile(`^warn(_[a-zA-Z0-9]+)*$`)
)

// conftestRef is where conftest puts the input file's name and directory.
var conftestRef = ast.MustParseRef("data.conftest")

// plumblineRef is what policy-check tells policies about the repository
// and the input (repository.go).
var plumblineRef = ast.MustParseRef("data.plumbline")

// Options say what to load and how.
type Options struct {
	Policies    []string // files or directories of .rego files
	Data        []string // files or directories of .json/.yaml data
	RegoVersion string   // "v1" (default) or "v0"
	Strict      bool
	// Capabilities is an OPA capabilities JSON file naming the built-ins
	// policies may call; empty means Restricted.
	Capabilities string
	// Print receives the output of print() in policies.
	Print io.Writer
	// LibraryTests compiles the bundled library's own tests (its
	// _test.rego files) with it, for verify; a check leaves them out.
	LibraryTests bool
}

// Denied are the built-ins policies may not call unless a capabilities
// file allows them: a policy may come from the pull request being checked,
// and these reach the network (http.send, net.lookup_ip_addr) or read the
// process environment (opa.runtime), where the pod's secrets are.
var Denied = []string{"http.send", "net.lookup_ip_addr", "opa.runtime"}

// Restricted is OPA's capabilities without the Denied built-ins, and with
// no host allowed for the network.
func Restricted() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	c.Builtins = slices.DeleteFunc(c.Builtins, func(b *ast.Builtin) bool { return slices.Contains(Denied, b.Name) })
	c.AllowNet = []string{}
	return c
}

func capabilities(file string) (*ast.Capabilities, error) {
	if file == "" {
		return Restricted(), nil
	}
	c, err := ast.LoadCapabilitiesFile(file)
	if err != nil {
		return nil, cli.Usagef("--capabilities: %w", err)
	}
	return c, nil
}

// Engine holds compiled policies and their data; it is shared by workers.
type Engine struct {
	compiler   *ast.Compiler
	modules    map[string]*ast.Module
	data       map[string]any
	runtime    *ast.Term
	print      io.Writer
	printMu    sync.Mutex
	namespaces []string            // every package, sorted
	rules      map[string][]string // namespace -> deny/violation/warn rule names, sorted
	paths      map[string]ast.Ref  // namespace -> its package path (data.…)
	exception  map[string]bool     // namespace defines exception rules
	usesFile   bool                // some policy reads data.conftest
	usesRepo   bool                // some policy reads data.plumbline
	help       map[string]string   // rule id -> METADATA title/description
}

// Load parses, compiles and checks the policies, and loads the data. Rego
// problems come back as errors.Join of *report.InputError, one per problem.
func Load(opts Options) (*Engine, error) {
	compiler, modules, caps, err := compile(opts)
	if err != nil {
		return nil, err
	}
	docs, err := loader.NewFileLoader().Filtered(opts.Data, func(_ string, info os.FileInfo, _ int) bool {
		if info.IsDir() {
			return false
		}
		return !slices.Contains([]string{".yaml", ".yml", ".json"}, filepath.Ext(info.Name()))
	})
	if err != nil {
		return nil, regoErrors(err)
	}
	e := &Engine{
		compiler: compiler, modules: modules, data: docs.Documents, print: opts.Print,
		rules: map[string][]string{}, paths: map[string]ast.Ref{}, exception: map[string]bool{}, help: map[string]string{},
		runtime: runtimeTerm(slices.ContainsFunc(caps.Builtins, func(b *ast.Builtin) bool { return b.Name == "opa.runtime" })),
	}
	if err := e.index(); err != nil {
		return nil, err
	}
	e.annotations()
	return e, nil
}

// compile parses the .rego files under opts.Policies (never following a
// link out of their tree) and compiles them with the capabilities allowed.
func compile(opts Options) (*ast.Compiler, map[string]*ast.Module, *ast.Capabilities, error) {
	ver := ast.RegoV1
	switch opts.RegoVersion {
	case "", "v1", "V1":
	case "v0", "V0":
		ver = ast.RegoV0
	default:
		return nil, nil, nil, cli.Usagef("--rego-version %q: want v1 or v0", opts.RegoVersion)
	}
	// OPA's loader follows symlinks, and its parse errors quote the line: a
	// policy or data file linked to a mounted secret would print it.
	onDisk := slices.DeleteFunc(slices.Clone(opts.Policies), func(p string) bool { return p == BundledRef })
	if err := refuseEscapes(append(slices.Clone(onDisk), opts.Data...)); err != nil {
		return nil, nil, nil, err
	}
	notRego := func(_ string, info os.FileInfo, _ int) bool {
		return !info.IsDir() && !strings.HasSuffix(info.Name(), ".rego")
	}
	modules := map[string]*ast.Module{}
	if len(onDisk) > 0 {
		pol, err := loader.NewFileLoader().WithProcessAnnotation(true).WithRegoVersion(ver).Filtered(onDisk, notRego)
		if err != nil {
			return nil, nil, nil, regoErrors(err)
		}
		maps.Copy(modules, pol.ParsedModules())
	}
	if len(onDisk) < len(opts.Policies) {
		// The bundled library, read from the binary itself.
		// Without its tests unless asked: they are nearly half its Rego,
		// and compiling them was a tenth of a check's run on
		// examples/homelab, for rules no check evaluates (test_*).
		skip := notRego
		if !opts.LibraryTests {
			skip = func(path string, info os.FileInfo, depth int) bool {
				return notRego(path, info, depth) || strings.HasSuffix(info.Name(), "_test.rego")
			}
		}
		pol, err := loader.NewFileLoader().WithFS(policies.Library).WithProcessAnnotation(true).WithRegoVersion(ast.RegoV1).
			Filtered([]string{policies.Dir}, skip)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("bundled policies: %w", regoErrors(err))
		}
		for name, m := range pol.ParsedModules() {
			modules[BundledRef+"/"+name] = m
		}
	}
	if len(modules) == 0 {
		return nil, nil, nil, fmt.Errorf("no policies (.rego files) found in %s", strings.Join(opts.Policies, ", "))
	}
	caps, err := capabilities(opts.Capabilities)
	if err != nil {
		return nil, nil, nil, err
	}
	compiler := ast.NewCompiler().WithEnablePrintStatements(true).WithStrict(opts.Strict).
		WithCapabilities(caps).WithBuiltins(conftestBuiltins())
	if compiler.Compile(modules); compiler.Failed() {
		return nil, nil, nil, regoErrors(compiler.Errors)
	}
	return compiler, modules, caps, nil
}

// index finds, per namespace, the rules conftest evaluates (deny,
// violation, warn and their _suffixed forms), whether it has exceptions,
// and whether any policy reads data.conftest; a deny that can never
// report is refused as conftest refuses it.
func (e *Engine) index() error {
	var bad []error
	for file, m := range e.modules {
		ns := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if _, ok := e.rules[ns]; !ok {
			e.rules[ns] = nil
			e.paths[ns] = m.Package.Path
			e.namespaces = append(e.namespaces, ns)
		}
		for _, r := range m.Rules {
			name := ruleName(r)
			switch {
			case name == "exception":
				e.exception[ns] = true
			case failureRule.MatchString(name) || warningRule.MatchString(name):
				// conftest refuses "deny if" without "contains": it is a
				// boolean, not a set of messages, and would never fail.
				if r.Head.Value != nil && r.Head.Value.String() == "true" && r.Head.Key == nil {
					bad = append(bad, &report.InputError{File: file, Line: r.Location.Row,
						Msg: fmt.Sprintf("rule %s is a boolean: write \"%s contains msg if\" so it can report", name, name)})
				}
				if !slices.Contains(e.rules[ns], name) {
					e.rules[ns] = append(e.rules[ns], name)
				}
			}
		}
		ast.WalkRefs(m, func(r ast.Ref) bool {
			if r.HasPrefix(conftestRef) {
				e.usesFile = true
			}
			if r.HasPrefix(plumblineRef) {
				e.usesRepo = true
			}
			return false
		})
	}
	if len(bad) > 0 {
		return errors.Join(bad...)
	}
	slices.Sort(e.namespaces)
	for ns := range e.rules {
		slices.Sort(e.rules[ns])
	}
	return nil
}

// annotations keeps each rule's METADATA title and description as the
// help its findings carry.
func (e *Engine) annotations() {
	for _, a := range e.compiler.GetAnnotationSet().Flatten() {
		if a.Annotations == nil || len(a.Path) < 2 {
			continue
		}
		text := a.Annotations.Title
		if d := a.Annotations.Description; d != "" {
			text = strings.TrimSpace(strings.TrimSuffix(text, ".") + ". " + d)
			text = strings.TrimPrefix(text, ". ")
		}
		if text != "" {
			ns := strings.TrimPrefix(a.Path[:len(a.Path)-1].String(), "data.")
			e.help[ns+"/"+strings.Trim(a.Path[len(a.Path)-1].String(), `"`)] = text
		}
	}
}

// refuseEscapes checks policy and data paths as pkg/tree reads inputs:
// nothing below them may be a symlink out of their tree, or a device.
func refuseEscapes(paths []string) error {
	var bad []error
	for _, p := range paths {
		if p == "" {
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			continue // the loader says what is missing
		}
		root := tree.RootFor(".", p)
		if !fi.IsDir() {
			f, err := tree.Open(root, p)
			if err != nil {
				bad = append(bad, &report.InputError{File: p, Msg: err.Error()})
				continue
			}
			f.Close()
			continue
		}
		esc, err := tree.Escapes(root, p)
		if err != nil {
			return err
		}
		for _, e := range esc {
			bad = append(bad, &report.InputError{File: e.Path, Msg: e.Msg})
		}
	}
	return errors.Join(bad...)
}

func ruleName(r *ast.Rule) string {
	if r.Head.Name != "" {
		return r.Head.Name.String()
	}
	if len(r.Head.Reference) > 0 {
		if v, ok := r.Head.Reference[0].Value.(ast.Var); ok {
			return string(v)
		}
	}
	return ""
}

// regoErrors flattens the loader's and compiler's errors into report.InputErrors.
func regoErrors(err error) error {
	var out []error
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case loader.Errors:
			for _, x := range e {
				walk(x)
			}
		case ast.Errors:
			for _, x := range e {
				walk(x)
			}
		case *ast.Error:
			re := &report.InputError{Msg: e.Code + ": " + e.Message}
			if e.Location != nil {
				re.File, re.Line = e.Location.File, e.Location.Row
			}
			out = append(out, re)
		default:
			out = append(out, &report.InputError{Msg: err.Error()})
		}
	}
	walk(err)
	return errors.Join(out...)
}

// runtimeTerm is what opa.runtime() returns, as in conftest; the
// environment only when a capabilities file allows opa.runtime.
func runtimeTerm(withEnv bool) *ast.Term {
	env := ast.NewObject()
	for _, kv := range os.Environ() {
		if !withEnv {
			break
		}
		k, v, _ := strings.Cut(kv, "=")
		env.Insert(ast.StringTerm(k), ast.StringTerm(v))
	}
	obj := ast.NewObject()
	obj.Insert(ast.StringTerm("env"), ast.NewTerm(env))
	obj.Insert(ast.StringTerm("version"), ast.StringTerm(version.String()))
	return ast.NewTerm(obj)
}

// Namespaces returns every package the policies declare.
func (e *Engine) Namespaces() []string { return e.namespaces }

// Rules returns the deny/violation/warn rules of a namespace.
func (e *Engine) Rules(ns string) []string { return e.rules[ns] }

// Help returns a rule's METADATA title and description, if any.
func (e *Engine) Help(ruleID string) string { return e.help[ruleID] }

// Select resolves --namespace patterns the way conftest does: literal
// names as given (a namespace without rules simply passes), globs matched
// against the policies' namespaces.
func (e *Engine) Select(patterns []string, all bool) ([]string, error) {
	if all {
		return e.evaluable(e.namespaces), nil
	}
	if len(patterns) == 0 {
		return []string{"main"}, nil
	}
	var out []string
	for _, p := range patterns {
		if !strings.ContainsAny(p, "*?[") {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
			continue
		}
		if _, err := path.Match(p, ""); err != nil {
			return nil, cli.Usagef("--namespace %q: %w", p, err)
		}
		for _, ns := range e.evaluable(e.namespaces) {
			if ok, _ := path.Match(p, ns); ok && !slices.Contains(out, ns) {
				out = append(out, ns)
			}
		}
	}
	return out, nil
}

// evaluable leaves out test packages (…_test without deny or warn rules):
// they would produce nothing, and listing them only hides what ran.
func (e *Engine) evaluable(nss []string) []string {
	return slices.DeleteFunc(slices.Clone(nss), func(ns string) bool {
		return strings.HasSuffix(ns, "_test") && len(e.rules[ns]) == 0
	})
}

func (e *Engine) printHook() print.Hook { return printer{e} }

type printer struct{ e *Engine }

func (p printer) Print(pctx print.Context, msg string) error {
	if p.e.print == nil {
		return nil
	}
	p.e.printMu.Lock()
	defer p.e.printMu.Unlock()
	_, err := fmt.Fprintf(p.e.print, "%v: %s\n", pctx.Location, msg)
	return err
}

package policy

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/types"

	"github.com/plumbline/plumbline/pkg/policy/parser"
	"github.com/plumbline/plumbline/pkg/tree"
)

// conftest gives policies three built-ins of its own, which real policy
// libraries and their unit tests call; policy-check has them with
// conftest's meaning, over its own parsers. A file they name is resolved
// against the directory of the policy that calls them, as conftest does,
// and read only inside that policy's tree (pkg/tree): a policy from the
// pull request cannot read the mounted secrets through them.
var (
	configObject = types.NewObject(nil, types.NewDynamicProperty(types.S, types.NewAny()))

	parseConfigDecl = &rego.Function{Name: "parse_config",
		Decl: types.NewFunction(types.Args(types.S, types.S), configObject)}
	parseConfigFileDecl = &rego.Function{Name: "parse_config_file",
		Decl: types.NewFunction(types.Args(types.S), configObject)}
	parseCombinedDecl = &rego.Function{Name: "parse_combined_config_files",
		Decl: types.NewFunction(types.Args(types.NewArray(nil, types.S)), configObject)}
)

// conftestFuncs pairs each declaration with its implementation; the
// compiler, rego.New and OPA's test runner take them from here.
var conftestFuncs = []struct {
	decl *rego.Function
	impl func(*rego.Rego)
}{
	{parseConfigDecl, rego.Function2(parseConfigDecl, parseConfig)},
	{parseConfigFileDecl, rego.Function1(parseConfigFileDecl, parseConfigFile)},
	{parseCombinedDecl, rego.Function1(parseCombinedDecl, parseCombinedConfigFiles)},
}

// conftestBuiltins are the declarations the compiler needs.
func conftestBuiltins() map[string]*ast.Builtin {
	out := map[string]*ast.Builtin{}
	for _, f := range conftestFuncs {
		out[f.decl.Name] = &ast.Builtin{Name: f.decl.Name, Decl: f.decl.Decl}
	}
	return out
}

// conftestFunctions are their implementations, for rego.New.
func conftestFunctions() []func(*rego.Rego) {
	var out []func(*rego.Rego)
	for _, f := range conftestFuncs {
		out = append(out, f.impl)
	}
	return out
}

// conftestTestBuiltins are the same for OPA's test runner (verify).
func conftestTestBuiltins() []*tester.Builtin {
	var out []*tester.Builtin
	for _, f := range conftestFuncs {
		out = append(out, &tester.Builtin{Decl: &ast.Builtin{Name: f.decl.Name, Decl: f.decl.Decl}, Func: f.impl})
	}
	return out
}

func parseConfig(_ rego.BuiltinContext, name, content *ast.Term) (*ast.Term, error) {
	n, ok1 := name.Value.(ast.String)
	c, ok2 := content.Value.(ast.String)
	if !ok1 || !ok2 {
		return nil, errors.New("parse_config: want a parser name and a string")
	}
	p, err := parser.New(string(n))
	if err != nil {
		return nil, fmt.Errorf("parse_config: %w", err)
	}
	if len(c) > parser.MaxFileSize {
		return nil, fmt.Errorf("parse_config: over the %d-byte limit", parser.MaxFileSize)
	}
	in, err := p.Parse("parse_config", []byte(c))
	if err != nil {
		return nil, fmt.Errorf("parse_config: %w", err)
	}
	return value(in.Value)
}

func parseConfigFile(bctx rego.BuiltinContext, path *ast.Term) (*ast.Term, error) {
	p, ok := path.Value.(ast.String)
	if !ok {
		return nil, errors.New("parse_config_file: want a path")
	}
	v, err := readConfig(bctx, string(p))
	if err != nil {
		return nil, fmt.Errorf("parse_config_file: %w", err)
	}
	return value(v)
}

func parseCombinedConfigFiles(bctx rego.BuiltinContext, paths *ast.Term) (*ast.Term, error) {
	arr, ok := paths.Value.(*ast.Array)
	if !ok {
		return nil, errors.New("parse_combined_config_files: want an array of paths")
	}
	type part struct {
		path     string
		contents any
	}
	var parts []part
	var err error
	arr.Foreach(func(t *ast.Term) {
		s, ok := t.Value.(ast.String)
		if !ok || err != nil {
			if err == nil {
				err = errors.New("parse_combined_config_files: want an array of paths")
			}
			return
		}
		var v any
		if v, err = readConfig(bctx, string(s)); err != nil {
			err = fmt.Errorf("parse_combined_config_files: %w", err)
			return
		}
		file := resolve(bctx, string(s))
		// A file of several documents is one entry per document, as in
		// conftest's --combine.
		if docs, many := v.([]any); many {
			for _, d := range docs {
				parts = append(parts, part{file, d})
			}
			return
		}
		parts = append(parts, part{file, v})
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(parts, func(a, b part) int { return strings.Compare(a.path, b.path) })
	list := make([]any, len(parts))
	for i, p := range parts {
		list[i] = map[string]any{"path": p.path, "contents": p.contents}
	}
	return value(list)
}

// resolve is path relative to the directory of the calling policy.
func resolve(bctx rego.BuiltinContext, path string) string {
	if bctx.Location == nil || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(filepath.Dir(bctx.Location.File), path)
}

// readConfig parses the file a policy names, read inside the policy's
// tree only, with the parser its name calls for.
func readConfig(bctx rego.BuiltinContext, path string) (any, error) {
	file := resolve(bctx, path)
	root := "."
	if bctx.Location != nil {
		root = tree.Root(filepath.Dir(bctx.Location.File))
	}
	name, ok := parser.ForPath(file)
	if !ok {
		return nil, fmt.Errorf("%s: no parser for this file name", path)
	}
	p, _ := parser.New(name)
	data, err := tree.ReadFile(root, file, parser.MaxFileSize)
	if err != nil {
		return nil, err
	}
	in, err := p.Parse(file, data)
	if err != nil {
		return nil, err
	}
	return in.Value, nil
}

func value(v any) (*ast.Term, error) {
	val, err := ast.InterfaceToValue(v)
	if err != nil {
		return nil, err
	}
	return ast.NewTerm(val), nil
}

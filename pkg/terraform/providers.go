package terraform

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// providerSchema reads what a module says about its providers.
var providerSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "terraform"},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
}}

// needs is what a root module and the local modules it calls declare
// about providers.
type needs struct {
	// addrs are the source addresses in required_providers.
	addrs []string
	// known is false when parsing alone cannot tell: a remote module, a
	// module outside the scanned tree, or a resource whose provider is not
	// declared.
	known bool
	// reqs is every declaration as "ADDRESS CONSTRAINT", sorted and
	// without repeats: what terraform init selects providers from. Empty
	// with exact false when a version constraint is not a literal.
	reqs  []string
	exact bool
	// modules: the root module calls a module (init installs it).
	modules bool
}

// providerNeeds reads what d and the local modules it calls need of
// terraform init.
func providerNeeds(d *dir, sources map[*dir][]*source, byOS map[string]*dir) needs {
	seen := map[string]bool{}
	n := needs{known: true, exact: true}
	reqs := map[string]bool{}
	root := d
	var visit func(d *dir)
	visit = func(d *dir) {
		if seen[d.osPath] {
			return
		}
		seen[d.osPath] = true
		declared := map[string]bool{}
		var types []string
		for _, s := range sources[d] {
			if s.vars {
				continue
			}
			content, _, _ := s.file.Body.PartialContent(providerSchema)
			for _, b := range content.Blocks {
				switch b.Type {
				case "terraform":
					rc, _, _ := b.Body.PartialContent(terraformSchema)
					for _, rp := range rc.Blocks {
						attrs, _ := rp.Body.JustAttributes()
						for name, a := range attrs {
							declared[name] = true
							addr := providerAddr(name, a.Expr)
							n.addrs = append(n.addrs, addr)
							c, ok := versionConstraint(a.Expr)
							n.exact = n.exact && ok
							reqs[addr+" "+c] = true
						}
					}
				case "resource", "data":
					types = append(types, b.Labels[0])
				case "module":
					n.modules = n.modules || d == root
					child := calledModule(b, d, sources, byOS)
					if child == nil {
						n.known = false
						continue
					}
					visit(child)
				}
			}
		}
		for _, t := range types {
			local, _, _ := strings.Cut(t, "_")
			if !declared[local] && local != "terraform" {
				n.known = false
			}
		}
	}
	visit(d)
	if n.exact {
		for r := range reqs {
			n.reqs = append(n.reqs, r)
		}
		sort.Strings(n.reqs)
	}
	return n
}

// versionConstraint is a required_providers entry's version, "" when it
// has none; ok is false when it is not a literal string.
func versionConstraint(e hcl.Expression) (string, bool) {
	v, ok := literal(e)
	switch {
	case !ok:
		return "", false
	case v.Type() == cty.String:
		// The legacy form, lab = "1.0": a version constraint alone.
		return v.AsString(), true
	case !v.Type().IsObjectType():
		return "", false
	case !v.Type().HasAttribute("version"):
		return "", true
	}
	c := v.GetAttr("version")
	if c.IsNull() || c.Type() != cty.String {
		return "", false
	}
	return c.AsString(), true
}

// calledModule is the local module a module block calls, read now when it
// lies outside the scanned paths (and kept in byOS and sources for the
// next caller); nil when the call is not local or the module cannot be
// read.
func calledModule(b *hcl.Block, from *dir, sources map[*dir][]*source, byOS map[string]*dir) *dir {
	p, ok := localModule(b, from.osPath)
	if !ok {
		return nil
	}
	if d := byOS[p]; d != nil {
		return d
	}
	d, parsed := loadDir(p)
	if d == nil {
		return nil
	}
	byOS[p], sources[d] = d, parsed
	return d
}

// localModule returns the directory a module block's literal local source
// ("./x", "../x") names; ok is false for any other source.
func localModule(b *hcl.Block, dir string) (string, bool) {
	src, ok := localSource(b)
	if !ok {
		return "", false
	}
	return filepath.Clean(filepath.Join(dir, src)), true
}

// localSource is a module block's literal local source as written.
func localSource(b *hcl.Block) (string, bool) {
	mc, _, _ := b.Body.PartialContent(moduleSchema)
	a, ok := mc.Attributes["source"]
	if !ok {
		return "", false
	}
	v, ok := literal(a.Expr)
	if !ok || v.Type() != cty.String || sourceKind(v.AsString()) != "local" {
		return "", false
	}
	return v.AsString(), true
}

// localModules lists the directories s calls as local modules.
func (s *source) localModules(dir string) []string {
	if s.vars {
		return nil
	}
	content, _, _ := s.file.Body.PartialContent(rootSchema)
	var out []string
	for _, b := range content.Blocks {
		if b.Type == "module" {
			if p, ok := localModule(b, dir); ok {
				out = append(out, p)
			}
		}
	}
	return out
}

// loadDir parses the Terraform files of a directory that was not scanned;
// nil if it holds none or one does not parse.
func loadDir(osPath string) (*dir, []*source) {
	entries, err := os.ReadDir(osPath)
	if err != nil {
		return nil, nil
	}
	d := &dir{osPath: osPath, rel: filepath.ToSlash(osPath)}
	var parsed []*source
	for _, e := range entries {
		if e.IsDir() || !isTerraformFile(e.Name()) {
			continue
		}
		s, fs := parseFile(filepath.Join(osPath, e.Name()), e.Name())
		if s == nil || len(fs) > 0 {
			return nil, nil
		}
		d.files = append(d.files, filepath.Join(osPath, e.Name()))
		parsed = append(parsed, s)
	}
	if len(parsed) == 0 {
		return nil, nil
	}
	return d, parsed
}

// providerAddr normalises a required_providers entry to HOST/NAMESPACE/TYPE.
func providerAddr(name string, e hcl.Expression) string {
	src := "hashicorp/" + name
	if v, ok := literal(e); ok && v.Type().IsObjectType() && v.Type().HasAttribute("source") {
		if s := v.GetAttr("source"); s.Type() == cty.String && !s.IsNull() {
			src = strings.ToLower(s.AsString())
		}
	}
	if strings.Count(src, "/") == 1 {
		src = "registry.terraform.io/" + src
	}
	return src
}

// cached reports whether the plugin cache holds some version of every
// provider in addrs.
func cached(cacheDir string, addrs []string) bool {
	for _, a := range addrs {
		entries, err := os.ReadDir(filepath.Join(cacheDir, filepath.FromSlash(a)))
		if err != nil || len(entries) == 0 {
			return false
		}
	}
	return true
}

// initlessSchema finds what makes terraform validate need init first.
var initlessSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "terraform"},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "provider", LabelNames: []string{"name"}},
}}

var backendSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "backend", LabelNames: []string{"type"}}, {Type: "cloud"},
}}

// initless reports whether terraform validate can run in d without init:
// init would install nothing (every resource is the built-in provider's,
// no required_providers, no module call) and there is no provider,
// backend or cloud block. terraform then validates as it would after
// init, at half the processes: the naive loop's init is pure overhead
// here (tested against terraform: the same diagnostics either way).
func initless(d *dir, sources map[*dir][]*source, n needs) bool {
	if !n.known || len(n.addrs) > 0 {
		return false
	}
	for _, b := range blocks(sources[d], initlessSchema) {
		if b.Type != "terraform" {
			return false
		}
		bc, _, _ := b.Body.PartialContent(backendSchema)
		if len(bc.Blocks) > 0 {
			return false
		}
	}
	return true
}

// blocks lists the blocks schema names in the configuration files (not
// the variable files) of srcs.
func blocks(srcs []*source, schema *hcl.BodySchema) []*hcl.Block {
	var out []*hcl.Block
	for _, s := range srcs {
		if s.vars {
			continue
		}
		content, _, _ := s.file.Body.PartialContent(schema)
		out = append(out, content.Blocks...)
	}
	return out
}

package terraform

import (
	"os"
	"path/filepath"
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

// providerNeeds lists the provider source addresses a root module and the
// local modules it calls declare in required_providers. known is false
// when parsing alone cannot tell: a remote module, a module outside the
// scanned tree, or a resource whose provider is not declared.
func providerNeeds(d *dir, sources map[*dir][]*source, byOS map[string]*dir) (addrs []string, known bool) {
	seen := map[string]bool{}
	known = true
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
							addrs = append(addrs, providerAddr(name, a.Expr))
						}
					}
				case "resource", "data":
					types = append(types, b.Labels[0])
				case "module":
					childPath, ok := localModule(b, d.osPath)
					if !ok {
						known = false
						continue
					}
					child := byOS[childPath]
					if child == nil {
						// A local module outside the scanned paths: read it now.
						var parsed []*source
						if child, parsed = loadDir(childPath); child == nil {
							known = false
							continue
						}
						byOS[childPath] = child
						sources[child] = parsed
					}
					visit(child)
				}
			}
		}
		for _, t := range types {
			local, _, _ := strings.Cut(t, "_")
			if !declared[local] && local != "terraform" {
				known = false
			}
		}
	}
	visit(d)
	return addrs, known
}

// localModule returns the directory a module block's literal local source
// ("./x", "../x") names; ok is false for any other source.
func localModule(b *hcl.Block, dir string) (string, bool) {
	mc, _, _ := b.Body.PartialContent(moduleSchema)
	a, ok := mc.Attributes["source"]
	if !ok {
		return "", false
	}
	v, ok := literal(a.Expr)
	if !ok || v.Type() != cty.String || sourceKind(v.AsString()) != "local" {
		return "", false
	}
	return filepath.Clean(filepath.Join(dir, v.AsString())), true
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
func initless(d *dir, sources map[*dir][]*source, addrs []string, known bool) bool {
	if !known || len(addrs) > 0 {
		return false
	}
	for _, s := range sources[d] {
		if s.vars {
			continue
		}
		content, _, _ := s.file.Body.PartialContent(initlessSchema)
		for _, b := range content.Blocks {
			if b.Type != "terraform" {
				return false
			}
			bc, _, _ := b.Body.PartialContent(backendSchema)
			if len(bc.Blocks) > 0 {
				return false
			}
		}
	}
	return true
}

package terraform

import (
	"encoding/json"
	"path"
	"sort"
	"strings"
)

// manifestEntry is one record of the modules.json terraform get writes in
// TF_DATA_DIR/modules.
type manifestEntry struct {
	Key    string `json:"Key"`
	Source string `json:"Source"`
	Dir    string `json:"Dir"`
}

// Bounds on the module tree written without terraform: deeper or larger
// trees (or a module calling itself) go to terraform get.
const (
	maxManifestDepth   = 16
	maxManifestEntries = 1000
)

// moduleManifest is the modules.json terraform get would write for d
// when every module it calls, at any depth, is local and already parsed:
// the calls' dotted names as keys, each source as terraform normalises it
// (cleaned, "./" kept), its directory relative to d, sorted by key
// (TestManifestAsTerraformGet compares it with terraform get's on
// variants of each). ok is false otherwise, and terraform get writes it.
// It saves a terraform process per root module when several share one
// init; a record terraform disagrees with makes validate fail, and the
// module then gets its own init.
func moduleManifest(d *dir, sources map[*dir][]*source, byOS map[string]*dir) ([]byte, bool) {
	entries := []manifestEntry{{Key: "", Source: "", Dir: "."}}
	var visit func(m *dir, key, rel string, depth int) bool
	visit = func(m *dir, key, rel string, depth int) bool {
		if depth > maxManifestDepth {
			return false
		}
		for _, b := range blocks(sources[m], rootSchema) {
			if b.Type != "module" {
				continue
			}
			raw, ok := localSource(b)
			if !ok || strings.Contains(raw, `\`) {
				return false
			}
			clean := path.Clean(raw)
			if clean == "." || clean == ".." {
				return false
			}
			if !strings.HasPrefix(clean, "../") {
				clean = "./" + clean
			}
			child := calledModule(b, m, sources, byOS)
			if child == nil || len(sources[child]) < len(child.files) {
				return false
			}
			k := b.Labels[0]
			if key != "" {
				k = key + "." + k
			}
			e := manifestEntry{Key: k, Source: clean, Dir: path.Join(rel, clean)}
			if entries = append(entries, e); len(entries) > maxManifestEntries {
				return false
			}
			if !visit(child, k, e.Dir, depth+1) {
				return false
			}
		}
		return true
	}
	if !visit(d, "", ".", 0) {
		return nil, false
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Key < entries[j].Key })
	b, err := json.Marshal(struct {
		Modules []manifestEntry `json:"Modules"`
	}{entries})
	return b, err == nil
}

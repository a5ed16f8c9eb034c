package policy

import (
	"path/filepath"
	"strings"

	"github.com/plumbline/plumbline/pkg/tree"
)

// data.plumbline is what policies may know beyond one input, so a rule
// can check one object against the rest of the repository (an ArgoCD
// Application against its AppProject and the paths it deploys):
//
//	data.plumbline.repository.dirs[path]   every directory, root-relative
//	data.plumbline.repository.urls         the repository's remote URLs
//	data.plumbline.argocd.projects[name]   every AppProject, plain or rendered
//	data.plumbline.flux.gitrepositories[name]  every Flux GitRepository
//	data.plumbline.input.file / .overlay   the file being checked and, for a
//	                                       rendered object, its kustomization
//
// It is built only when a policy reads it.

// maxDirs bounds data.plumbline.repository.dirs.
const maxDirs = 100_000

// setRepository makes v the policies' data.plumbline; workers made after
// it see it.
func (e *Engine) setRepository(v map[string]any) {
	if e.data == nil {
		e.data = map[string]any{}
	}
	e.data["plumbline"] = v
}

// repository is data.plumbline for this run, from the parsed inputs (plain
// and rendered): made between parsing and evaluation, so no file is read
// twice.
func (r *run) repository(root string) map[string]any {
	dirs := map[string]any{}
	entries, _ := r.walk.Entries(root)
	for _, e := range entries {
		if !e.Dir() {
			continue
		}
		if len(dirs) >= maxDirs {
			break
		}
		rel, _ := filepath.Rel(root, e.Path)
		dirs[filepath.ToSlash(rel)] = true
	}
	urls := []any{}
	for _, u := range append(tree.GitRemotes(root), r.c.repoURLs...) {
		if u != "" {
			urls = append(urls, u)
		}
	}
	projects, gitrepos := map[string]any{}, map[string]any{}
	for _, d := range r.documents() {
		m, _ := d.v.(map[string]any)
		meta, _ := m["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		if m["kind"] == "AppProject" && strings.HasPrefix(str(m["apiVersion"]), "argoproj.io/") && name != "" {
			projects[name] = m
		}
		if m["kind"] == "GitRepository" && strings.HasPrefix(str(m["apiVersion"]), "source.toolkit.fluxcd.io/") && name != "" {
			gitrepos[name] = m
		}
	}
	return map[string]any{
		"repository": map[string]any{"dirs": dirs, "urls": urls},
		"argocd":     map[string]any{"projects": projects},
		"flux":       map[string]any{"gitrepositories": gitrepos},
		"input":      map[string]any{"file": "", "overlay": ""},
	}
}

func str(v any) string { s, _ := v.(string); return s }

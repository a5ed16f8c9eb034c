package policy

import (
	"bufio"
	"bytes"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/plumbline/plumbline/pkg/kustomize"
	"github.com/plumbline/plumbline/pkg/policy/parser"
	"github.com/plumbline/plumbline/pkg/tree"
)

// data.plumbline is what policies may know beyond one input, so a rule
// can check one object against the rest of the repository (an ArgoCD
// Application against its AppProject and the paths it deploys):
//
//	data.plumbline.repository.dirs[path]   every directory, root-relative
//	data.plumbline.repository.urls         the repository's remote URLs
//	data.plumbline.argocd.projects[name]   every AppProject, plain or rendered
//	data.plumbline.input.file / .overlay   the file being checked and, for a
//	                                       rendered object, its kustomization
//
// It is built only when a policy reads it.

// maxDirs bounds data.plumbline.repository.dirs.
const maxDirs = 100_000

// SetRepository makes v the policies' data.plumbline.
func (e *Engine) SetRepository(v map[string]any) {
	if e.data == nil {
		e.data = map[string]any{}
	}
	e.data["plumbline"] = v
}

// UsesRepository reports whether a policy reads data.plumbline.
func (e *Engine) UsesRepository() bool { return e.usesRepo }

func (c *Check) repository(root string, files []string, builds map[int]*kustomize.Build) map[string]any {
	dirs := map[string]any{}
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if p != root && tree.Skip(d.Name()) || len(dirs) >= maxDirs {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(root, p)
		dirs[filepath.ToSlash(rel)] = true
		return nil
	})
	urls := []any{}
	for _, u := range append(gitRemotes(root), c.repoURLs...) {
		if u != "" {
			urls = append(urls, u)
		}
	}
	projects := map[string]any{}
	add := func(v any) {
		m, _ := v.(map[string]any)
		meta, _ := m["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		if m["kind"] == "AppProject" && strings.HasPrefix(str(m["apiVersion"]), "argoproj.io/") && name != "" {
			projects[name] = m
		}
	}
	yp, _ := parser.New("yaml")
	for i, f := range files {
		if b := builds[i]; b != nil {
			for _, o := range b.Objects {
				add(o.Value)
			}
			continue
		}
		if name, _ := parser.ForPath(f); name != "yaml" && name != "json" {
			continue
		}
		data, err := tree.ReadFile(tree.RootFor(".", f), f, parser.MaxFileSize)
		if err != nil || !bytes.Contains(data, []byte("AppProject")) {
			continue
		}
		in, err := yp.Parse(f, data)
		if err != nil {
			continue // reported when the file is checked
		}
		if list, ok := in.Value.([]any); ok {
			for _, v := range list {
				add(v)
			}
		} else {
			add(in.Value)
		}
	}
	return map[string]any{
		"repository": map[string]any{"dirs": dirs, "urls": urls},
		"argocd":     map[string]any{"projects": projects},
		"input":      map[string]any{"file": "", "overlay": ""},
	}
}

func str(v any) string { s, _ := v.(string); return s }

// gitRemotes reads the remote URLs of a checkout's .git/config (a clone
// made by the pipeline's fetch step has origin), without running git.
func gitRemotes(root string) []string {
	f, err := tree.Open(root, filepath.Join(root, ".git", "config"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	remote := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			remote = strings.HasPrefix(line, "[remote ")
			continue
		}
		if k, v, ok := strings.Cut(line, "="); remote && ok && strings.TrimSpace(k) == "url" {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

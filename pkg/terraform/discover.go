package terraform

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plumbline/plumbline/pkg/glob"
	"github.com/plumbline/plumbline/pkg/report"
)

// dir is one directory holding Terraform files.
type dir struct {
	osPath string // as the OS needs it
	rel    string // as reported: relative to the scanned root, slashes
	files  []string
	module bool // holds .tf or .tf.json, not just .tfvars
	root   bool // a root module: not only used as a local module source
	cyclic bool // its local module calls go round (moduleCycle)
}

// walker finds directories with Terraform files under the given paths.
type walker struct {
	include, exclude []*glob.Glob
	dirs             []*dir
	byOS             map[string]*dir
	findings         []report.Finding
}

// relative makes p relative to the working directory when it is inside it,
// else relative to the path argument it was found under, so reports never
// hold absolute paths.
func relative(base, p string) string {
	if r, ok := report.RelPath(p); ok {
		return r
	}
	if r, err := filepath.Rel(base, p); err == nil {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(p)
}

func (w *walker) walk(arg string) error {
	base, err := filepath.Abs(arg)
	if err != nil {
		return err
	}
	fi, err := os.Stat(base)
	if err != nil {
		return fmt.Errorf("path %s: %w", arg, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("path %s: not a directory", arg)
	}
	return filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		rel := relative(base, p)
		if err != nil {
			w.findings = append(w.findings, report.Finding{Rule: RuleRead, Severity: report.Error, File: rel, Message: fmt.Sprintf("cannot read: %v", err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != base && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
				return fs.SkipDir // .terraform, .git and other tool state
			}
			return nil
		}
		name := d.Name()
		if !isTerraformFile(name) && !isVarsFile(name) && !isTestFile(name) {
			return nil
		}
		dp := filepath.Dir(p)
		dd := w.byOS[dp]
		if dd == nil {
			dd = &dir{osPath: dp, rel: relative(base, dp)}
			if !w.selected(dd.rel) {
				return nil
			}
			w.byOS[dp] = dd
			w.dirs = append(w.dirs, dd)
		}
		dd.files = append(dd.files, p)
		dd.module = dd.module || isTerraformFile(name)
		return nil
	})
}

func (w *walker) selected(rel string) bool {
	if len(w.include) > 0 && !slices.ContainsFunc(w.include, func(g *glob.Glob) bool { return g.Match(rel) }) {
		return false
	}
	return !slices.ContainsFunc(w.exclude, func(g *glob.Glob) bool { return g.Match(rel) })
}

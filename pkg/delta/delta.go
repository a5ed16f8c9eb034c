package delta

import (
	"cmp"
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"sigs.k8s.io/yaml"

	"github.com/plumbline/plumbline/pkg/kustomize"
	"github.com/plumbline/plumbline/pkg/report"
)

// Rules of the rendered diff.
const (
	// RuleChange is one object a change adds, removes or changes.
	RuleChange = "k8s/change"
	// RuleDeletes is a change that removes what holds data or other
	// objects: a Namespace, a PersistentVolumeClaim or PersistentVolume,
	// a CustomResourceDefinition (and every object of its kind).
	RuleDeletes = "k8s/change-deletes"
	// RuleImmutable is a change to a field the API server refuses to
	// change (a workload's selector, a StatefulSet's volume claims): the
	// sync fails until the object is deleted and created again.
	RuleImmutable = "k8s/change-immutable"
	// RuleNotCompared is a group that did not render on one side.
	RuleNotCompared = "k8s/change-unknown"
)

// Object is one rendered object of a group: an overlay's directory or a
// chart release's label.
type Object struct {
	Group string
	Value map[string]any
	File  string // where it is written (root-relative)
	Line  int
	// Locate places a path into Value (the renderer's: the patch or the
	// values line that set it); nil places everything at File:Line.
	Locate func(p []any) (string, int)
}

// Op is what a change does to an object.
type Op string

const (
	Added   Op = "added"
	Removed Op = "removed"
	Changed Op = "changed"
)

// Change is one object added, removed or changed.
type Change struct {
	Group, APIVersion, Kind, Namespace, Name string
	Op                                       Op
	Diff                                     string // unified, of the YAML
	File                                     string
	Line                                     int
	// Immutable names the immutable fields the change rewrites.
	Immutable []string
}

// ID is how a change names its object: Kind namespace/name.
func (c *Change) ID() string {
	if c.Namespace != "" {
		return c.Kind + " " + c.Namespace + "/" + c.Name
	}
	return c.Kind + " " + c.Name
}

// Side is one rendering of the repository: its objects by group, and the
// groups that did not render.
type Side struct {
	Objects []Object
	Failed  map[string]string // group → why
}

// FromResult is what a render gives: every object of every build that
// rendered.
func FromResult(res *kustomize.Result) Side {
	s := Side{Failed: map[string]string{}}
	for _, b := range res.Builds {
		if b.Err != nil {
			s.Failed[b.Dir] = firstLine(b.Err.Error())
			continue
		}
		for _, o := range b.Objects {
			m, _ := o.Value.(map[string]any)
			if m == nil {
				continue
			}
			file, line := o.Locate(nil)
			s.Objects = append(s.Objects, Object{Group: b.Dir, Value: m, File: file, Line: line, Locate: o.Locate})
		}
	}
	return s
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

type key struct{ group, apiGroup, kind, ns, name string }

func keyOf(o Object) key {
	api, _ := o.Value["apiVersion"].(string)
	g, _, ok := strings.Cut(api, "/")
	if !ok {
		g = "" // the core group: "v1"
	}
	kind, _ := o.Value["kind"].(string)
	meta, _ := o.Value["metadata"].(map[string]any)
	ns, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	return key{o.Group, g, kind, ns, name}
}

// Compare matches base and head objects and lists what changed, by
// group, then kind, namespace and name. A group that rendered on one
// side only is not compared (Unknown says why).
func Compare(base, head Side) (changes []Change, unknown map[string]string) {
	unknown = map[string]string{}
	// A group that fails on both sides (a chart not in the cache, at any
	// version) has nothing to compare: the check's own finding says why
	// it does not render. One that fails on one side only is unknown.
	same := map[string]bool{}
	for g, why := range head.Failed {
		if _, ok := base.Failed[g]; ok {
			same[g] = true
			continue
		}
		unknown[g] = "it does not render at the head: " + why
	}
	for g, why := range base.Failed {
		if !same[g] {
			unknown[g] = "it did not render at the base: " + why
		}
	}
	skip := func(g string) bool {
		_, ok := unknown[g]
		return ok || same[g]
	}
	b := map[key]Object{}
	for _, o := range base.Objects {
		b[keyOf(o)] = o
	}
	seen := map[key]bool{}
	for _, o := range head.Objects {
		k := keyOf(o)
		if skip(k.group) {
			continue
		}
		seen[k] = true
		old, ok := b[k]
		switch {
		case !ok:
			changes = append(changes, change(k, Added, nil, o.Value, o.File, o.Line))
		case !reflect.DeepEqual(old.Value, o.Value):
			file, line := o.File, o.Line
			if p := firstDifference(old.Value, o.Value, nil); p != nil && o.Locate != nil {
				if f, l := o.Locate(p); f != "" && l > 0 {
					file, line = f, l
				}
			}
			c := change(k, Changed, old.Value, o.Value, file, line)
			c.Immutable = immutable(k.kind, old.Value, o.Value)
			changes = append(changes, c)
		}
	}
	for _, o := range base.Objects {
		k := keyOf(o)
		if skip(k.group) || seen[k] {
			continue
		}
		changes = append(changes, change(k, Removed, o.Value, nil, "", 0))
	}
	slices.SortStableFunc(changes, func(a, c Change) int {
		return cmp.Or(strings.Compare(a.Group, c.Group), strings.Compare(a.Kind, c.Kind),
			strings.Compare(a.Namespace, c.Namespace), strings.Compare(a.Name, c.Name))
	})
	return changes, unknown
}

// firstDifference is the path of the first field (in key order) that
// differs between a and b: where a changed object is placed.
func firstDifference(a, b any, p []any) []any {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return p
		}
		keys := make([]string, 0, len(av)+len(bv))
		for k := range av {
			keys = append(keys, k)
		}
		for k := range bv {
			if _, ok := av[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !reflect.DeepEqual(av[k], bv[k]) {
				if _, ok := bv[k]; !ok {
					return append(p, k)[:len(p)] // removed: its parent
				}
				return firstDifference(av[k], bv[k], append(slices.Clone(p), k))
			}
		}
		return nil
	case []any:
		bv, ok := b.([]any)
		if !ok {
			return p
		}
		for i := range min(len(av), len(bv)) {
			if !reflect.DeepEqual(av[i], bv[i]) {
				return firstDifference(av[i], bv[i], append(slices.Clone(p), i))
			}
		}
		return p
	}
	if reflect.DeepEqual(a, b) {
		return nil
	}
	return p
}

func change(k key, op Op, old, cur map[string]any, file string, line int) Change {
	v := cur
	if v == nil {
		v = old
	}
	api, _ := v["apiVersion"].(string)
	c := Change{Group: k.group, APIVersion: api, Kind: k.kind, Namespace: k.ns, Name: k.name, Op: op, File: file, Line: line}
	if isSecret(v) {
		old, cur = maskSecret(old, cur)
	}
	c.Diff = unified(old, cur, c.ID())
	return c
}

// unified is the diff of two objects' YAML (nil: no object).
func unified(old, cur map[string]any, name string) string {
	text := func(v map[string]any) []string {
		if v == nil {
			return nil
		}
		out, err := yaml.Marshal(v)
		if err != nil {
			return []string{fmt.Sprintf("(not shown: %v)\n", err)}
		}
		return difflib.SplitLines(string(out))
	}
	d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{A: text(old), B: text(cur),
		FromFile: "base/" + name, ToFile: "head/" + name, Context: 3})
	if err != nil {
		return ""
	}
	return d
}

func isSecret(v map[string]any) bool { return v["kind"] == "Secret" && v["apiVersion"] == "v1" }

// maskSecret hides a Secret's values, and still shows which changed:
// a value the head changes reads "<masked, changed>" there.
func maskSecret(old, cur map[string]any) (map[string]any, map[string]any) {
	fieldOf := func(v map[string]any, f string) map[string]any { m, _ := v[f].(map[string]any); return m }
	mask := func(v map[string]any, changed func(f, k string) bool) map[string]any {
		if v == nil {
			return nil
		}
		out := map[string]any{}
		for k, x := range v {
			out[k] = x
		}
		for _, f := range []string{"data", "stringData"} {
			m := fieldOf(v, f)
			if m == nil {
				continue
			}
			mm := map[string]any{}
			for k := range m {
				mm[k] = "<masked>"
				if changed(f, k) {
					mm[k] = "<masked, changed>"
				}
			}
			out[f] = mm
		}
		return out
	}
	same := func(string, string) bool { return false }
	return mask(old, same), mask(cur, func(f, k string) bool {
		y, ok := fieldOf(old, f)[k]
		return ok && !reflect.DeepEqual(y, fieldOf(cur, f)[k])
	})
}

// immutable names the fields the API server will not change.
func immutable(kind string, old, cur map[string]any) []string {
	var out []string
	get := func(v map[string]any, p ...string) any {
		var x any = v
		for _, k := range p {
			m, _ := x.(map[string]any)
			x = m[k]
		}
		return x
	}
	switch kind {
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job":
		if a, b := get(old, "spec", "selector"), get(cur, "spec", "selector"); a != nil && !reflect.DeepEqual(a, b) {
			out = append(out, "spec.selector")
		}
	}
	if kind == "StatefulSet" {
		for _, f := range []string{"volumeClaimTemplates", "serviceName", "podManagementPolicy"} {
			if a, b := get(old, "spec", f), get(cur, "spec", f); !reflect.DeepEqual(a, b) {
				out = append(out, "spec."+f)
			}
		}
	}
	if kind == "Service" {
		if a, b := get(old, "spec", "clusterIP"), get(cur, "spec", "clusterIP"); a != nil && a != "" && !reflect.DeepEqual(a, b) {
			out = append(out, "spec.clusterIP")
		}
	}
	return out
}

// deletesData are the kinds whose removal loses data or other objects.
var deletesData = map[string]string{
	"Namespace":                "every object in it goes with it",
	"PersistentVolumeClaim":    "its volume may be deleted with it (reclaim policy Delete, the default of dynamic provisioning)",
	"PersistentVolume":         "its data goes with it when its reclaim policy is Delete",
	"CustomResourceDefinition": "every object of its kind, in every namespace, goes with it",
}

// Production says which groups deploy to production: the patterns of
// policy.production (a pull request's: the base branch's), each a path
// glob matched against the overlay's directory and the file that declares
// a release (a directory also matches what is below it); with none, a
// path segment prod or production (the homelab library's rule too).
type Production []string

// Match reports whether group, declared in file, deploys to production.
func (p Production) Match(group, file string) bool {
	fields := strings.FieldsFunc(group, func(r rune) bool { return r == ' ' || r == '(' || r == ')' })
	if len(p) == 0 {
		for _, seg := range strings.FieldsFunc(group, func(r rune) bool { return r == '/' || r == ' ' || r == '(' || r == ')' }) {
			if seg == "prod" || seg == "production" {
				return true
			}
		}
		return false
	}
	cands := fields
	if file != "" {
		cands = append(cands, file, path.Dir(file))
	}
	for _, pat := range p {
		pat = strings.Trim(path.Clean("/"+strings.TrimSpace(pat)), "/")
		for _, c := range cands {
			for d := path.Clean(c); ; d = path.Dir(d) {
				if ok, _ := path.Match(pat, d); ok {
					return true
				}
				if d == "." || d == "/" || !strings.Contains(d, "/") {
					break
				}
			}
		}
	}
	return false
}

// MaxDiffLines bounds the diff a finding carries.
const MaxDiffLines = 200

// Findings are the report's: a note per change with its diff, a
// warning (an error in production, as prod says) per deletion that loses data and per
// immutable field rewritten, a note per group not compared. removedAt
// places a removed object (it has no line at the head): its group's
// kustomization or release file.
func Findings(changes []Change, unknown map[string]string, removedAt func(group string) (string, int), prod Production) []report.Finding {
	var out []report.Finding
	for _, c := range changes {
		file, line := c.File, c.Line
		if c.Op == Removed && removedAt != nil {
			file, line = removedAt(c.Group)
		}
		diff := c.Diff
		if lines := strings.SplitAfter(diff, "\n"); len(lines) > MaxDiffLines {
			diff = strings.Join(lines[:MaxDiffLines], "") + fmt.Sprintf("… %d more lines\n", len(lines)-MaxDiffLines)
		}
		out = append(out, report.Finding{Rule: RuleChange, Severity: report.Note, File: file, Line: line,
			Message: fmt.Sprintf("%s: %s %s", c.Group, c.Op, c.ID()), Diff: diff})
		sev := report.Warning
		gf := c.File
		if removedAt != nil {
			gf, _ = removedAt(c.Group)
		}
		if prod.Match(c.Group, gf) {
			sev = report.Error
		}
		if why, ok := deletesData[c.Kind]; ok && c.Op == Removed {
			out = append(out, report.Finding{Rule: RuleDeletes, Severity: sev, File: file, Line: line,
				Message: fmt.Sprintf("%s: this change deletes %s: %s", c.Group, c.ID(), why)})
		}
		if len(c.Immutable) > 0 {
			out = append(out, report.Finding{Rule: RuleImmutable, Severity: sev, File: file, Line: line,
				Message: fmt.Sprintf("%s: %s changes %s, which the API server refuses to change: the sync fails until the object is deleted and created again", c.Group, c.ID(), strings.Join(c.Immutable, ", "))})
		}
	}
	groups := make([]string, 0, len(unknown))
	for g := range unknown {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	for _, g := range groups {
		file, line := "", 0
		if removedAt != nil {
			file, line = removedAt(g)
		}
		out = append(out, report.Finding{Rule: RuleNotCompared, Severity: report.Note, File: file, Line: line,
			Message: fmt.Sprintf("%s: not compared: %s", g, unknown[g])})
	}
	return out
}

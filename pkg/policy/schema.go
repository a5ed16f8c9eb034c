package policy

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plumbline/plumbline/pkg/flux"
	"github.com/plumbline/plumbline/pkg/kube"
	"github.com/plumbline/plumbline/pkg/report"
)

// Rule ids of the schema check (pkg/kube): what the API server would
// refuse, and custom kinds no CRD in the repository describes.
const (
	RuleSchema          = "k8s/schema"
	RuleSchemaUnchecked = "k8s/schema-unchecked"
)

// checkSchemas checks every Kubernetes object among the parsed inputs,
// plain and rendered, against the built-in kinds and the repository's
// CRDs (read first, wherever they are); then, with the same schema's
// groups, the wiring of each rendered kustomization (wiring.go).
func (r *run) checkSchemas(rep *report.Report) error {
	k, err := kube.New()
	if err != nil {
		return err
	}
	docs := r.documents()
	for _, d := range docs {
		if ok, err := k.AddCRD(d.v); ok && err != nil {
			rep.Findings = append(rep.Findings, r.schemaFinding(d.file, d.path, report.Error, err.Error()))
		}
	}
	r.fluxApplied(docs)
	// The built-in schema's release, for the API lifecycle: once, not per
	// object.
	schemaRelease, _ := kube.ParseRelease(kube.KubernetesVersion())
	type unchecked struct {
		file  int
		path  []any
		count int
	}
	skipped := map[string]*unchecked{}
	var order []string
	unlisted := 0
	for _, d := range docs {
		if r.target != nil && r.lifecycle(rep, k, schemaRelease, d) {
			continue
		}
		outcome, problems := k.Check(d.v)
		if outcome == kube.Unchecked || outcome == kube.Newer {
			m := d.v.(map[string]any)
			key := fmt.Sprintf("%v %v", m["apiVersion"], m["kind"])
			if outcome == kube.Newer {
				key += ": a version newer than Kubernetes " + kube.KubernetesVersion() + " serves"
			}
			if skipped[key] == nil {
				skipped[key] = &unchecked{file: d.file, path: d.path}
				order = append(order, key)
			}
			skipped[key].count++
			continue
		}
		// Past the findings a report holds, problems are counted, not
		// placed: placing each cost a line lookup and a finding (20,000
		// Pods with 60 unknown fields each did not finish in 600 s).
		if len(rep.Findings) > report.MaxFindings {
			unlisted += len(problems)
			continue
		}
		name := objectName(d.v)
		if outcome == kube.Checked {
			rep.Findings = append(rep.Findings, r.duplicates(d, name)...)
		}
		for _, p := range problems {
			f := r.schemaFinding(d.file, append(slices.Clone(d.path), p.Path...), report.Error, name+p.Msg)
			rep.Findings = append(rep.Findings, f)
		}
	}
	if unlisted > 0 {
		// First, so the findings budget (pkg/cli) keeps it.
		rep.Findings = append([]report.Finding{{Rule: RuleSchema, Severity: report.Error, Help: schemaHelp(RuleSchema),
			Message: fmt.Sprintf("%d more schema problems not listed: past the %d findings a report holds", unlisted, report.MaxFindings)}}, rep.Findings...)
	}
	for _, key := range order {
		u := skipped[key]
		why := "no CustomResourceDefinition for this kind in the repository"
		if strings.Contains(key, ": a version newer than") {
			why = "the repository is for a newer Kubernetes"
		}
		rep.Findings = append(rep.Findings, r.schemaFinding(u.file, u.path, report.Note, fmt.Sprintf(
			"%s: %d object(s) not schema-checked: %s", key, u.count, why)))
	}
	r.checkWiring(rep, k)
	return nil
}

// Rule ids of the API lifecycle check: an API version the configured
// Kubernetes (--kubernetes-version) no longer serves, or has deprecated.
const (
	RuleAPIRemoved    = "k8s/api-removed"
	RuleAPIDeprecated = "k8s/api-deprecated"
)

// lifecycle judges d's API version against the cluster's release: removed
// there is an error (and the schema check is not run: its message would
// be about the built-in schema's release); deprecated is a warning. It
// reports whether d is done with: removed, or removed by the built-in
// schema's release while the cluster still serves it (not checkable).
func (r *run) lifecycle(rep *report.Report, k *kube.Checker, schema kube.Release, d document) bool {
	m, _ := d.v.(map[string]any)
	apiVersion, kind := str(m["apiVersion"]), str(m["kind"])
	l, ok := kube.LifecycleOf(apiVersion, kind)
	if !ok {
		return false
	}
	t := *r.target
	name := objectName(d.v)
	finding := func(rule string, sev report.Severity, msg string) {
		rep.Findings = append(rep.Findings, r.placed(d.file, append(slices.Clone(d.path), "apiVersion"), rule, sev,
			"The Kubernetes release the cluster runs (kubernetes.version in .plumbline.yaml) against when Kubernetes deprecated and removes each API version (docs/rules/api-lifecycle.md).",
			name+msg))
	}
	switch {
	case !t.Before(l.Removed) && (schema.Before(t) || !k.Serves(apiVersion, kind)):
		finding(RuleAPIRemoved, report.Error, fmt.Sprintf("%s %s is not served by Kubernetes %s (removed in %s, deprecated since %s): the apply fails; move to the kind's current version", apiVersion, kind, t, l.Removed, l.Deprecated))
		return true
	case !t.Before(l.Deprecated) && t.Before(l.Removed):
		finding(RuleAPIDeprecated, report.Warning, fmt.Sprintf("%s %s is deprecated in Kubernetes %s and removed in %s: the upgrade to %s breaks it; move to the kind's current version", apiVersion, kind, t, l.Removed, l.Removed))
	}
	// Served by the cluster, but not by the built-in schema's release: no
	// schema to check it against.
	return t.Before(l.Removed) && !k.Serves(apiVersion, kind)
}

func objectName(v any) string {
	m, _ := v.(map[string]any)
	meta, _ := m["metadata"].(map[string]any)
	if name, ok := meta["name"].(string); ok {
		return fmt.Sprintf("%v/%s: ", m["kind"], name)
	}
	return fmt.Sprintf("%v: ", m["kind"])
}

func (r *run) schemaFinding(file int, path []any, sev report.Severity, msg string) report.Finding {
	rule := RuleSchema
	if sev == report.Note {
		rule = RuleSchemaUnchecked
	}
	return r.placed(file, path, rule, sev, schemaHelp(rule), msg)
}

// placed is a finding of the checks written in Go (schema, lifecycle,
// wiring) at path of a document of file i, placed as a policy's finding
// is: through an overlay to the base, patch or images entry that wrote it.
func (r *run) placed(file int, path []any, rule string, sev report.Severity, help, msg string) report.Finding {
	l := located{file: file, doc: path, input: r.results[file].input}
	l.Outcome = Outcome{Message: msg}
	f := r.finding(l)
	f.Rule, f.Severity, f.Help = rule, sev, help
	return f
}

// schemaHelp is a function, not a map made at start-up: the Kubernetes
// version it names is read from the embedded schema, which a run that
// checks no Kubernetes object never decompresses.
func schemaHelp(rule string) string {
	if rule == RuleSchemaUnchecked {
		return "A custom kind whose CustomResourceDefinition is not in the repository: its fields are not checked."
	}
	return "What the API server refuses on apply (unknown fields, wrong types, missing required fields, bad quantities), checked offline against Kubernetes " +
		kube.KubernetesVersion() + " and the repository's CRDs."
}

// duplicates are the keys written twice in document d, a Kubernetes
// object: kustomize (so Flux, and ArgoCD on a kustomization) and
// kubeconform refuse the file, kubectl sends only the last value; the
// policies read the last value, as conftest does.
func (r *run) duplicates(d document, name string) []report.Finding {
	in := r.results[d.file].input
	if in == nil || len(in.Duplicates) == 0 {
		return nil
	}
	doc := -1
	if len(d.path) == 1 {
		doc, _ = d.path[0].(int)
	}
	var out []report.Finding
	for _, dup := range in.Duplicates {
		if dup.Doc != doc {
			continue
		}
		f := r.schemaFinding(d.file, d.path, report.Error, fmt.Sprintf(
			"%skey %q is written twice in one mapping: kustomize and kubeconform refuse the file, and kubectl applies only the last value", name, dup.Key))
		f.Line, f.Column = dup.Line, 0
		out = append(out, f)
	}
	return out
}

// fluxApplied replaces each document a Flux Kustomization with postBuild
// applies by what it applies: its ${var}s substituted, a value not known
// here (a variable from a Secret not in the repository) kube.Unknown. So
// replicas: ${REPLICAS} is the number REPLICAS holds, not a string.
func (r *run) fluxApplied(docs []document) {
	all := make([]flux.Doc, len(docs))
	for i, d := range docs {
		all[i] = flux.Doc{Value: d.v, Where: r.where(d.file)}
	}
	scopes := flux.Scopes(all)
	if len(scopes) == 0 {
		return
	}
	for i := range docs {
		if s := flux.For(scopes, all[i].Where); s != nil {
			docs[i].v = s.Apply(docs[i].v, kube.Unknown{})
		}
	}
}

// where is the slash path, relative to the working directory, an input
// comes from: a rendered kustomization's directory, else its file.
func (r *run) where(file int) string {
	if b := r.builds[file]; b != nil {
		return filepath.ToSlash(filepath.Clean(b.Dir))
	}
	return filepath.ToSlash(filepath.Clean(r.rels[file]))
}

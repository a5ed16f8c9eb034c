package terraform

import (
	"fmt"
	"github.com/plumbline/plumbline/pkg/secret"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbline/plumbline/pkg/report"
)

// Rule ids of the static pass; docs/rules/terraform.md explains each.
const (
	RuleSecretLiteral         = "terraform/secret-literal"
	RuleSecretNotSensitive    = "terraform/secret-not-sensitive"
	RuleProviderUnversioned   = "terraform/provider-unversioned"
	RuleModuleUnpinned        = "terraform/module-unpinned"
	RuleVariableNoType        = "terraform/variable-no-type"
	RuleVariableNoDescription = "terraform/variable-no-description"
	RuleUndeclaredVariable    = "terraform/undeclared-variable"
	RuleSuppression           = "terraform/suppression-invalid"
	RuleProxmoxTLSInsecure    = "terraform/proxmox-tls-insecure"
	RuleProxmoxPrivilegedLXC  = "terraform/proxmox-lxc-privileged"
)

// Rules lists every rule id the check can report, for docs and suppressions.
var Rules = []string{
	RuleSyntax, RuleRead, RuleSecretLiteral, RuleSecretNotSensitive, RuleProviderUnversioned,
	RuleModuleUnpinned, RuleVariableNoType, RuleVariableNoDescription, RuleUndeclaredVariable,
	RuleSuppression, RuleFormat, RuleValidate, RuleInit, RuleProxmoxTLSInsecure, RuleProxmoxPrivilegedLXC, RuleUnused,
}

const helpBase = "https://github.com/plumbline/plumbline/blob/main/docs/rules/terraform.md#"

// hit is a finding plus the line of the block it belongs to, so a
// suppression comment above a block covers findings inside it.
type hit struct {
	report.Finding
	block int
}

var (
	rootSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "module", LabelNames: []string{"name"}},
		{Type: "terraform"},
		{Type: "provider", LabelNames: []string{"name"}},
		{Type: "resource", LabelNames: []string{"type", "name"}},
	}}
	variableSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "default"}, {Name: "type"}, {Name: "description"}, {Name: "sensitive"},
	}}
	moduleSchema    = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "source"}, {Name: "version"}}}
	terraformSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "required_providers"}}}
)

// staticRules runs every rule over one module's files.
func staticRules(sources []*source) []report.Finding {
	var hits []hit
	declared := map[string]bool{}
	for _, s := range sources {
		if s.test {
			continue // terraform test's own schema: syntax and fmt only
		}
		if s.vars {
			hits = append(hits, varsRules(s)...)
			continue
		}
		content, _, _ := s.file.Body.PartialContent(rootSchema)
		for _, b := range content.Blocks {
			switch b.Type {
			case "variable":
				declared[b.Labels[0]] = true
				hits = append(hits, variableRules(s, b, isOverride(s.path))...)
			case "module":
				hits = append(hits, moduleRules(s, b)...)
			case "terraform":
				hits = append(hits, providerRules(s, b)...)
			case "provider":
				hits = append(hits, providerSecrets(s, b)...)
				hits = append(hits, proxmoxProvider(s, b)...)
			case "resource":
				hits = append(hits, proxmoxResource(s, b)...)
			}
		}
	}
	for _, s := range sources {
		if !s.vars && !s.test {
			hits = append(hits, undeclared(s, declared)...)
		}
	}
	hits = append(hits, unusedRules(sources)...)
	var out []report.Finding
	for _, s := range sources {
		out = append(out, suppress(s, &hits)...)
	}
	for _, h := range hits {
		out = append(out, h.Finding)
	}
	return out
}

func newHit(rule string, sev report.Severity, s *source, r hcl.Range, block int, format string, args ...any) hit {
	f := report.Finding{Rule: rule, Severity: sev, File: s.path, Message: fmt.Sprintf(format, args...), Help: helpBase + strings.TrimPrefix(rule, "terraform/")}
	setRange(&f, r)
	f.Snippet = s.snippet(r)
	if rule == RuleSecretLiteral {
		f.Snippet = maskValue(f.Snippet)
	}
	return hit{Finding: f, block: block}
}

// quotedValue is the value of an assignment on a snippet's line.
var quotedValue = regexp.MustCompile(`(=\s*)("(?:[^"\\]|\\.)*"|[0-9][0-9.eE+-]*)`)

// maskValue hides the secret a secret-literal finding points at: the
// report, the step log and a pull-request comment would spread it
// further than the file it was committed in.
func maskValue(snippet string) string {
	return quotedValue.ReplaceAllString(snippet, `$1"****"`)
}

// snippet returns the source lines a range covers, at most five. The
// line starts are found once per file: a file with 50,000 findings used to
// be split 50,000 times.
func (s *source) snippet(r hcl.Range) string {
	if s.starts == nil {
		s.starts = []int{0}
		for i, b := range s.text {
			if b == '\n' {
				s.starts = append(s.starts, i+1)
			}
		}
	}
	start, end := r.Start.Line, min(r.End.Line, r.Start.Line+4)
	if start < 1 || start > len(s.starts) {
		return ""
	}
	end = min(max(end, start), len(s.starts))
	stop := len(s.text)
	if end < len(s.starts) {
		stop = s.starts[end] - 1
	}
	return strings.TrimRight(string(s.text[s.starts[start-1]:stop]), " \t\r")
}

// literal evaluates an expression that references nothing; ok is false for
// anything computed.
func literal(e hcl.Expression) (cty.Value, bool) {
	if len(e.Variables()) > 0 {
		return cty.NilVal, false
	}
	v, diags := e.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	return v, true
}

// isOverride: override.tf and *_override.tf (and their .tf.json) change
// blocks declared elsewhere, as terraform merges them.
func isOverride(path string) bool {
	base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".json"), ".tf"), ".tofu")
	return base == "override" || strings.HasSuffix(base, "_override")
}

// variableRules checks a variable block; in an override file only what
// it sets is checked (its type and description are the primary file's).
func variableRules(s *source, b *hcl.Block, override bool) []hit {
	name := b.Labels[0]
	line := b.DefRange.Start.Line
	c, _, _ := b.Body.PartialContent(variableSchema)
	var hits []hit
	var typ hcl.Expression
	if a, ok := c.Attributes["type"]; ok {
		typ = a.Expr
	}
	if secret.Name(name) && secretType(typ) {
		if a, ok := c.Attributes["default"]; ok {
			if v, ok := literal(a.Expr); ok && secretValue(v) {
				hits = append(hits, newHit(RuleSecretLiteral, report.Error, s, a.Range, line,
					"variable %q looks like a secret and has a literal default; pass it in from a secret store instead", name))
			}
		}
		sensitive := false
		if a, ok := c.Attributes["sensitive"]; ok {
			v, ok := literal(a.Expr)
			sensitive = ok && v.Type() == cty.Bool && v.True()
		}
		if !sensitive && !override {
			hits = append(hits, newHit(RuleSecretNotSensitive, report.Warning, s, b.DefRange, line,
				"variable %q looks like a secret but is not marked sensitive = true, so plans and logs show it", name))
		}
	}
	if override {
		return hits
	}
	if _, ok := c.Attributes["type"]; !ok {
		hits = append(hits, newHit(RuleVariableNoType, report.Note, s, b.DefRange, line, "variable %q has no type", name))
	}
	if _, ok := c.Attributes["description"]; !ok {
		hits = append(hits, newHit(RuleVariableNoDescription, report.Note, s, b.DefRange, line, "variable %q has no description", name))
	}
	return hits
}

// providerSecrets: a provider block setting a secret-looking argument to a
// literal (pm_password = "…" in provider "proxmox") is a credential
// committed to Git, the commonest homelab leak. Nested blocks are looked
// into too (a provider's ssh { password = … }).
func providerSecrets(s *source, b *hcl.Block) []hit {
	body, ok := b.Body.(*hclsyntax.Body)
	if !ok {
		return nil // JSON syntax: its attributes are not told from blocks
	}
	var hits []hit
	var walk func(body *hclsyntax.Body)
	walk = func(body *hclsyntax.Body) {
		for name, a := range body.Attributes {
			if !secret.Name(name) {
				continue
			}
			if v, ok := literal(a.Expr); ok && secretValue(v) {
				hits = append(hits, newHit(RuleSecretLiteral, report.Error, s, a.Range(), b.DefRange.Start.Line,
					"provider %q sets %s in plain text; take it from a variable marked sensitive or the provider's environment variable instead", b.Labels[0], name))
			}
		}
		for _, nested := range body.Blocks {
			walk(nested.Body)
		}
	}
	walk(body)
	return hits
}

// varsRules: a .tfvars file assigning a literal to a secret-looking name
// is a secret committed to Git.
func varsRules(s *source) []hit {
	attrs, _ := s.file.Body.JustAttributes()
	var hits []hit
	for name, a := range attrs {
		if !secret.Name(name) {
			continue
		}
		if v, ok := literal(a.Expr); ok && secretValue(v) {
			hits = append(hits, newHit(RuleSecretLiteral, report.Error, s, a.Range, a.Range.Start.Line,
				"%q looks like a secret and is set in plain text; use TF_VAR_%s from a secret store instead", name, name))
		}
	}
	return hits
}

func moduleRules(s *source, b *hcl.Block) []hit {
	c, _, _ := b.Body.PartialContent(moduleSchema)
	a, ok := c.Attributes["source"]
	if !ok {
		return nil
	}
	v, ok := literal(a.Expr)
	if !ok || v.Type() != cty.String {
		return nil
	}
	src := v.AsString()
	_, hasVersion := c.Attributes["version"]
	line := b.DefRange.Start.Line
	switch kind := sourceKind(src); {
	case kind == "registry" && !hasVersion:
		return []hit{newHit(RuleModuleUnpinned, report.Warning, s, a.Range, line,
			"module %q comes from the registry (%s) without a version constraint", b.Labels[0], src)}
	case kind == "git" && !strings.Contains(src, "ref="):
		return []hit{newHit(RuleModuleUnpinned, report.Warning, s, a.Range, line,
			"module %q comes from git (%s) without ?ref= pinning a tag or commit", b.Labels[0], src)}
	}
	return nil
}

var registryAddr = regexp.MustCompile(`^([a-zA-Z0-9.-]+/)?[a-zA-Z0-9_-]+/[a-zA-Z0-9_-]+/[a-zA-Z0-9_-]+(//.*)?$`)

// sourceKind classifies a module source the way terraform's getter does,
// as far as pinning is concerned.
func sourceKind(src string) string {
	switch {
	case strings.HasPrefix(src, "./"), strings.HasPrefix(src, "../"):
		return "local"
	case strings.HasPrefix(src, "git::"), strings.HasPrefix(src, "git@"),
		strings.HasPrefix(src, "github.com/"), strings.HasPrefix(src, "bitbucket.org/"):
		return "git"
	case strings.Contains(src, "::"), strings.Contains(src, "://"):
		return "other"
	case registryAddr.MatchString(src):
		return "registry"
	}
	return "other"
}

func providerRules(s *source, b *hcl.Block) []hit {
	c, _, _ := b.Body.PartialContent(terraformSchema)
	var hits []hit
	for _, rp := range c.Blocks {
		attrs, _ := rp.Body.JustAttributes()
		names := make([]string, 0, len(attrs))
		for n := range attrs {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, name := range names {
			a := attrs[name]
			v, ok := literal(a.Expr)
			if !ok {
				continue
			}
			// The legacy form is a bare version string.
			if v.Type() == cty.String {
				continue
			}
			if v.Type().IsObjectType() && v.Type().HasAttribute("version") && !v.GetAttr("version").IsNull() {
				continue
			}
			hits = append(hits, newHit(RuleProviderUnversioned, report.Warning, s, a.Range, a.Range.Start.Line,
				"provider %q has no version constraint in required_providers; an upgrade can break the next run", name))
		}
	}
	return hits
}

// undeclared finds var.X references to variables no file of the module
// declares, which terraform validate would also report. Native syntax only.
func undeclared(s *source, declared map[string]bool) []hit {
	body, ok := s.file.Body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	var hits []hit
	names := make([]string, 0, len(declared))
	for n := range declared {
		names = append(names, n)
	}
	slices.Sort(names)
	hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		e, ok := n.(*hclsyntax.ScopeTraversalExpr)
		if !ok || len(e.Traversal) < 2 || e.Traversal.RootName() != "var" {
			return nil
		}
		attr, ok := e.Traversal[1].(hcl.TraverseAttr)
		if !ok || declared[attr.Name] {
			return nil
		}
		msg := fmt.Sprintf("reference to undeclared input variable %q", attr.Name)
		if near := nearest(attr.Name, names); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		}
		hits = append(hits, newHit(RuleUndeclaredVariable, report.Error, s, e.SrcRange, e.SrcRange.Start.Line, "%s", msg))
		return nil
	})
	return hits
}

// nearest returns the candidate within edit distance 3 of name, if any.
func nearest(name string, candidates []string) string {
	best, bestDist := "", 4
	for _, c := range candidates {
		if d := editDistance(name, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

var ignoreComment = regexp.MustCompile(`(?:#|//)\s*plumbline:ignore\b\s*(\S*)\s*(.*)$`)

// suppress removes from hits those that a "# plumbline:ignore <rule>
// <reason>" comment in s covers: on the finding's line, on the line above
// it, or on the line above the block it is in. A comment without a reason
// or with an unknown rule suppresses nothing and is itself reported.
func suppress(s *source, hits *[]hit) []report.Finding {
	var problems []report.Finding
	for i, line := range strings.Split(string(s.text), "\n") {
		m := ignoreComment.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n := i + 1
		rule, reason := m[1], strings.TrimSpace(m[2])
		bad := func(msg string) {
			problems = append(problems, report.Finding{Rule: RuleSuppression, Severity: report.Warning, File: s.path, Line: n,
				Message: msg, Snippet: strings.TrimSpace(line), Help: helpBase + "suppression-invalid"})
		}
		switch {
		case !slices.Contains(Rules, rule):
			bad(fmt.Sprintf("plumbline:ignore names unknown rule %q", rule))
			continue
		case reason == "":
			bad(fmt.Sprintf("plumbline:ignore %s has no reason; say why the finding does not apply", rule))
			continue
		}
		*hits = slices.DeleteFunc(*hits, func(h hit) bool {
			return h.File == s.path && h.Rule == rule && (h.Line == n || h.Line == n+1 || h.block == n+1)
		})
	}
	return problems
}

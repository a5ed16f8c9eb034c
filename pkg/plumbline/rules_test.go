package plumbline

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/plumbline/plumbline/pkg/addr"
	"github.com/plumbline/plumbline/pkg/ansiblelint"
	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/dnszone"
	"github.com/plumbline/plumbline/pkg/leak"
	"github.com/plumbline/plumbline/pkg/merge"
	"github.com/plumbline/plumbline/pkg/policy"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tekton"
	"github.com/plumbline/plumbline/pkg/terraform"
)

// TestEveryRuleDocumented: each rule id the code can emit is in a rule
// table of docs/, so plumbline rules, the docs and SARIF's help agree.
func TestEveryRuleDocumented(t *testing.T) {
	rules, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rules {
		ids = append(ids, r.ID)
	}
	code := []string{
		terraform.RuleSyntax, terraform.RuleRead, terraform.RuleSecretLiteral, terraform.RuleSecretNotSensitive,
		terraform.RuleProviderUnversioned, terraform.RuleModuleUnpinned, terraform.RuleVariableNoType,
		terraform.RuleVariableNoDescription, terraform.RuleUndeclaredVariable, terraform.RuleFormat, terraform.RuleInit,
		terraform.RuleValidate, terraform.RuleSuppression, terraform.RuleModuleCycle,
		terraform.RulePlanCreate, terraform.RulePlanUpdate, terraform.RulePlanReplace, terraform.RulePlanDestroy,
		terraform.RulePlanMaxDestroy, terraform.RulePlanDrift, terraform.RulePlanError, terraform.RulePlanNoState,
		ansiblelint.RuleCollectionMissing, ansiblelint.RuleRoleMissing, ansiblelint.RuleRequirements,
		ansiblelint.RuleInventory, ansiblelint.RuleUnreadable, ansiblelint.RuleYAML, ansiblelint.RuleRulesdirIgnored,
		policy.RuleRego, policy.RuleParse, policy.RuleEval, policy.RuleWaiverInvalid, policy.RuleWaiverExpired,
		policy.RuleWaiverUnused, policy.RuleNoRules, policy.RuleNoTests, policy.RuleTestFailed, policy.RuleTestError,
		policy.RuleKustomize, policy.RuleSchema, policy.RuleSchemaUnchecked,
		dnszone.RuleCreate, dnszone.RuleDelete, dnszone.RuleUpdate, dnszone.RuleTTL, dnszone.RuleUnmanaged,
		dnszone.RuleUnsafe, dnszone.RuleNotInLive, dnszone.RuleUncompared, dnszone.RuleServerDrift,
		dnszone.RuleCNAMEConflict, dnszone.RuleDoubledOrigin,
		merge.RuleCheckMissing, merge.RuleNothingRan, merge.RuleReportInvalid, merge.RuleCheckSkipped, merge.RuleNotifyFailed,
		report.RulePathAbsolute, RuleToolMissing,
		addr.RuleConflict, addr.RuleDNSOtherName,
		tekton.RuleImageLatest, tekton.RuleImageNoDigest, tekton.RuleRefMissing, tekton.RuleParamMissing, tekton.RuleParamUnknown,
		tekton.RuleWorkspaceUnbound, tekton.RuleWorkspaceUnknown,
		leak.RuleToken, leak.RulePrivateKey, leak.RuleGeneric, leak.RuleAssignment, leak.RuleKubernetesSecret, leak.RuleURL, leak.RuleTooLarge,
		"terraform-validate/" + cli.RuleIncomplete,
	}
	for _, id := range code {
		if !slices.Contains(ids, id) {
			t.Errorf("%s is not in any rule table of docs/", id)
		}
	}
	if !slices.ContainsFunc(rules, func(r Rule) bool { return r.ID == "homelab.argocd/deny_missing_path" && r.Summary != "" }) {
		t.Error("the library's ArgoCD rules are not listed")
	}
	if !slices.ContainsFunc(rules, func(r Rule) bool { return r.ID == "homelab.kubernetes/deny_latest" && r.Summary != "" }) {
		t.Error("the bundled library's rules are not listed")
	}
}

func TestRulesCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	env := cli.Env{Stdout: &out, Stderr: &errOut}
	if code := Main(context.Background(), []string{"rules", "terraform/secret-literal"}, env); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"terraform/secret-literal\n", "severity: error", "documented in: docs/rules/terraform.md", "Secrets in Git outlive every rotation"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := Main(context.Background(), []string{"rules", "no/such-rule"}, env); code != cli.ExitBroken {
		t.Errorf("unknown rule: exit %d", code)
	}
}

// plumbline rules lists rules only: rows of tables with a rule column,
// never a package, a file or a benchmark the docs name in passing, and
// no placeholder summary.
func TestRulesAreRules(t *testing.T) {
	rules, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		area, _, _ := strings.Cut(r.ID, "/")
		if area == "pkg" || area == "bin" || area == "cmd" || area == "images" || area == "hack" || strings.Contains(r.Summary, "<check>") {
			t.Errorf("%s listed as a rule: %s", r.ID, r.Summary)
		}
	}
}

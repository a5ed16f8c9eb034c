package report

// alike are rules, of one check or of several, that name one problem.
// Found at the same place, the problem is shown once: a secret variable
// default is terraform-validate's secret-literal, the bundled library's
// deny_secret_default and the secret scan's assignment; a CNAME at a
// zone's apex is dns-zone-diff's cname-conflict and the library's
// deny_apex_cname.
var alike = [][]string{
	{"terraform/secret-literal", "homelab.terraform/deny_secret_default", "homelab.terraform/deny_secret_tfvars",
		"homelab.ansible/deny_plaintext_vars", "homelab.ansible/deny_plaintext_inventory",
		"secret/token", "secret/private-key", "secret/generic", "secret/assignment", "secret/kubernetes-secret",
		"secret/url-credentials"},
	{"dns/cname-conflict", "homelab.dns/deny_apex_cname"},
}

// alikeGroup is the alike group of each rule in it.
var alikeGroup = func() map[string]int {
	g := map[string]int{}
	for i, rules := range alike {
		for _, r := range rules {
			g[r] = i
		}
	}
	return g
}()

// Alike says which group of rules naming one problem rule is in.
func Alike(rule string) (group int, ok bool) {
	g, ok := alikeGroup[rule]
	return g, ok
}

package terraform

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/secret"
)

// Rules for the two Proxmox providers homelabs use: bpg/proxmox
// (proxmox_virtual_environment_*) and Telmate/proxmox (proxmox_vm_qemu,
// proxmox_lxc). Each reads only literals: a value from a variable is the
// variable's rules' to judge.

// tlsInsecure are the providers' arguments that turn off TLS
// verification of the Proxmox API.
var tlsInsecure = map[string]bool{"insecure": true, "pm_tls_insecure": true}

// proxmoxProvider: provider "proxmox" with TLS verification off.
func proxmoxProvider(s *source, b *hcl.Block) []hit {
	if b.Labels[0] != "proxmox" {
		return nil
	}
	attrs, _ := b.Body.JustAttributes()
	var hits []hit
	for name, a := range attrs {
		if !tlsInsecure[name] {
			continue
		}
		if v, ok := literal(a.Expr); ok && v.Type() == cty.Bool && v.True() {
			hits = append(hits, newHit(RuleProxmoxTLSInsecure, report.Warning, s, a.Range, b.DefRange.Start.Line,
				"provider \"proxmox\" sets %s = true: the API token or password goes to whatever answers at the endpoint, unverified; give Proxmox a certificate the runner trusts (its own CA in the system store, or ACME) and drop %s", name, name))
		}
	}
	return hits
}

// lxcTypes are the container resources, whose unprivileged defaults to
// false in both providers (Proxmox's own UI defaults to true).
var lxcTypes = map[string]bool{"proxmox_virtual_environment_container": true, "proxmox_lxc": true}

// proxmoxResource: a privileged container, and credentials written into
// a Proxmox resource (user_account's password, cipassword, a user's
// password) in plain text.
func proxmoxResource(s *source, b *hcl.Block) []hit {
	typ := b.Labels[0]
	if !strings.HasPrefix(typ, "proxmox_") {
		return nil
	}
	body, ok := b.Body.(*hclsyntax.Body)
	if !ok {
		return nil // JSON syntax
	}
	var hits []hit
	line := b.DefRange.Start.Line
	if lxcTypes[typ] {
		a, set := body.Attributes["unprivileged"]
		switch {
		case !set:
			hits = append(hits, newHit(RuleProxmoxPrivilegedLXC, report.Warning, s, b.DefRange, line,
				"container %q has no unprivileged = true, and %s defaults to a privileged container: root in it is root on the Proxmox host; set unprivileged = true", b.Labels[1], typ))
		default:
			if v, ok := literal(a.Expr); ok && v.Type() == cty.Bool && v.False() {
				hits = append(hits, newHit(RuleProxmoxPrivilegedLXC, report.Warning, s, a.Range(), line,
					"container %q sets unprivileged = false: root in it is root on the Proxmox host; set unprivileged = true (and features { nesting = true } where Docker needs it)", b.Labels[1]))
			}
		}
	}
	var walk func(body *hclsyntax.Body, depth int)
	walk = func(body *hclsyntax.Body, depth int) {
		if depth > 20 {
			return
		}
		for name, a := range body.Attributes {
			if !secret.Name(name) && name != "cipassword" {
				continue
			}
			if v, ok := literal(a.Expr); ok && secretValue(v) {
				hits = append(hits, newHit(RuleSecretLiteral, report.Error, s, a.Range(), line,
					"%s %q sets %s in plain text: it is in Git and in the state; take it from a variable marked sensitive (or an SSH key instead of a password)", typ, b.Labels[1], name))
			}
		}
		for _, nested := range body.Blocks {
			walk(nested.Body, depth+1)
		}
	}
	walk(body, 0)
	return hits
}

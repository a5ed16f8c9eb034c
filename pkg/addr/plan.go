package addr

import (
	"fmt"
	"maps"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plumbline/plumbline/pkg/inventory"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/zonefile"
)

// Rule ids.
const (
	// RuleConflict: two machines of different names claim one address.
	RuleConflict = "address/conflict"
	// RuleDNSOtherName: the forward zone gives a machine's address to
	// other names only.
	RuleDNSOtherName = "address/dns-other-name"
)

const helpBase = "https://github.com/plumbline/plumbline/blob/main/docs/rules/address.md#"

// Source is where a claim was read.
type Source string

const (
	Terraform Source = "terraform"
	Inventory Source = "inventory"
	DNS       Source = "dns"
)

// Claim is one name given one address at one place.
type Claim struct {
	Addr   netip.Addr
	Name   string // the machine's or record's host name, lower case
	What   string // how the place names it: proxmox_vm_qemu.k3s[1], host dns1, dns1.home.arpa. A
	Source Source
	File   string
	Line   int
}

// host is the first label of a name, lower case: dns1.home.arpa and the
// VM named dns1 are one machine.
func host(name string) string {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	h, _, _ := strings.Cut(name, ".")
	return h
}

// Plan gathers claims; Findings judges them.
type Plan struct {
	claims []Claim
	tf     map[string]*module // Terraform files by directory
}

// Inventory adds the ansible_host of each host of an inventory.
func (p *Plan) Inventory(file string, inv *inventory.Inventory) {
	for _, name := range slices.Sorted(maps.Keys(inv.Hosts)) {
		h := inv.Hosts[name]
		v, ok := h.Vars["ansible_host"]
		if !ok {
			continue
		}
		a, err := netip.ParseAddr(strings.TrimSpace(v.Value))
		if err != nil {
			continue // a name, or a template: not an address claim
		}
		p.claims = append(p.claims, Claim{Addr: a.Unmap(), Name: host(name), What: "inventory host " + name,
			Source: Inventory, File: file, Line: v.Line})
	}
}

// Zone adds the A and AAAA records of a zone.
func (p *Plan) Zone(file string, recs []zonefile.Record) {
	for _, r := range recs {
		if r.Type != "A" && r.Type != "AAAA" || strings.HasPrefix(r.Name, "*.") {
			continue
		}
		a, err := netip.ParseAddr(strings.TrimSpace(r.Value))
		if err != nil {
			continue
		}
		p.claims = append(p.claims, Claim{Addr: a.Unmap(), Name: host(r.Name), What: r.Name + " " + r.Type,
			Source: DNS, File: file, Line: r.Line})
	}
}

// Findings judges every claim gathered: machines (Terraform, inventory)
// of different names on one address are a conflict at each place; a
// machine whose address the zones give only to other names is a warning.
func (p *Plan) Findings() []report.Finding {
	for _, dir := range slices.Sorted(maps.Keys(p.tf)) {
		p.claims = append(p.claims, p.tf[dir].claims()...)
	}
	byAddr := map[netip.Addr][]Claim{}
	for _, c := range p.claims {
		byAddr[c.Addr] = append(byAddr[c.Addr], c)
	}
	var out []report.Finding
	for _, a := range slices.SortedFunc(maps.Keys(byAddr), func(x, y netip.Addr) int { return x.Compare(y) }) {
		cs := byAddr[a]
		var machines, records []Claim
		for _, c := range cs {
			if c.Source == DNS {
				records = append(records, c)
			} else {
				machines = append(machines, c)
			}
		}
		names := map[string]bool{}
		for _, m := range machines {
			names[m.Name] = true
		}
		if len(names) > 1 {
			for _, m := range machines {
				var others []string
				for _, o := range machines {
					if o.Name != m.Name {
						others = append(others, fmt.Sprintf("%s (%s:%d)", o.What, o.File, o.Line))
					}
				}
				out = append(out, report.Finding{Rule: RuleConflict, Severity: report.Error, File: m.File, Line: m.Line,
					Help: helpBase + "conflict",
					Message: fmt.Sprintf("%s is given to %s here and to %s too: two machines on one address answer in turn (ARP decides)",
						a, m.What, strings.Join(slices.Compact(others), ", "))})
			}
			continue
		}
		if len(machines) == 0 || len(records) == 0 {
			continue
		}
		recNames := map[string]bool{}
		for _, r := range records {
			recNames[r.Name] = true
		}
		for _, m := range machines {
			if recNames[m.Name] {
				continue
			}
			var other []string
			for _, r := range records {
				other = append(other, fmt.Sprintf("%s (%s:%d)", r.What, r.File, r.Line))
			}
			out = append(out, report.Finding{Rule: RuleDNSOtherName, Severity: report.Warning, File: m.File, Line: m.Line,
				Help:    helpBase + "dns-other-name",
				Message: fmt.Sprintf("%s of %s is, in DNS, %s: the zone names another machine at this address", a, m.What, strings.Join(other, ", "))})
		}
	}
	return out
}

func dirOf(file string) string { return filepath.Dir(file) }

package addr

import (
	"fmt"
	"math/big"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/plumbline/plumbline/pkg/nesting"
)

// maxInstances bounds the instances of one counted resource evaluated.
const maxInstances = 1024

// module is one directory's Terraform files.
type module struct {
	files  []*hclsyntax.Body
	names  []string // each body's file
	vars   map[string]cty.Value
	locals map[string]cty.Value
}

// Terraform adds a Terraform file; its claims are read when Findings
// runs, with the variables' defaults and the locals of its whole module.
// A file that does not parse claims nothing (terraform-validate reports it).
func (p *Plan) Terraform(file string, data []byte) {
	if !nesting.HCLFits(data) {
		return
	}
	f, diags := hclsyntax.ParseConfig(data, file, hcl.InitialPos)
	if diags.HasErrors() || f == nil {
		return
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return
	}
	if p.tf == nil {
		p.tf = map[string]*module{}
	}
	m := p.tf[dirOf(file)]
	if m == nil {
		m = &module{}
		p.tf[dirOf(file)] = m
	}
	m.files = append(m.files, body)
	m.names = append(m.names, file)
}

// functions are the Terraform functions an address is written with.
var functions = map[string]function.Function{
	"cidrhost": cidrhost, "format": stdlib.FormatFunc, "join": stdlib.JoinFunc, "lower": stdlib.LowerFunc,
	"upper": stdlib.UpperFunc, "replace": stdlib.ReplaceFunc, "split": stdlib.SplitFunc, "element": stdlib.ElementFunc,
	"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number), "min": stdlib.MinFunc,
	"max": stdlib.MaxFunc, "trimsuffix": stdlib.TrimSuffixFunc, "trimprefix": stdlib.TrimPrefixFunc,
}

// scope evaluates what is constant: variables' defaults, locals built
// from them (as far as three rounds resolve), and the instance's
// count.index or each.key/each.value.
func (m *module) scope() {
	if m.vars != nil {
		return
	}
	m.vars, m.locals = map[string]cty.Value{}, map[string]cty.Value{}
	for _, b := range m.files {
		for _, blk := range b.Blocks {
			if blk.Type == "variable" && len(blk.Labels) == 1 {
				if d, ok := blk.Body.Attributes["default"]; ok {
					if v, diags := d.Expr.Value(nil); !diags.HasErrors() && v.IsWhollyKnown() {
						m.vars[blk.Labels[0]] = v
					}
				}
			}
		}
	}
	for range 3 {
		for _, b := range m.files {
			for _, blk := range b.Blocks {
				if blk.Type != "locals" {
					continue
				}
				for name, a := range blk.Body.Attributes {
					if _, done := m.locals[name]; done {
						continue
					}
					if v, diags := a.Expr.Value(m.ctx(nil)); !diags.HasErrors() && v.IsWhollyKnown() {
						m.locals[name] = v
					}
				}
			}
		}
	}
}

func (m *module) ctx(instance map[string]cty.Value) *hcl.EvalContext {
	vars := map[string]cty.Value{"var": cty.ObjectVal(m.vars), "local": cty.ObjectVal(m.locals)}
	for k, v := range instance {
		vars[k] = v
	}
	return &hcl.EvalContext{Variables: vars, Functions: functions}
}

// instances are the evaluation scopes of a resource: one, one per
// count.index, or one per for_each element; nil when they cannot be
// known here.
func (m *module) instances(b *hclsyntax.Block) ([]map[string]cty.Value, []string) {
	if a, ok := b.Body.Attributes["count"]; ok {
		v, diags := a.Expr.Value(m.ctx(nil))
		if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || v.Type() != cty.Number {
			return nil, nil
		}
		n, acc := v.AsBigFloat().Int64()
		if acc != big.Exact || n < 0 || n > maxInstances {
			return nil, nil
		}
		var out []map[string]cty.Value
		var keys []string
		for i := range n {
			out = append(out, map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(i)})})
			keys = append(keys, fmt.Sprintf("[%d]", i))
		}
		return out, keys
	}
	if a, ok := b.Body.Attributes["for_each"]; ok {
		v, diags := a.Expr.Value(m.ctx(nil))
		if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !v.CanIterateElements() || v.LengthInt() > maxInstances {
			return nil, nil
		}
		var out []map[string]cty.Value
		var keys []string
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if v.Type().IsSetType() || v.Type().IsListType() || v.Type().IsTupleType() {
				k = e
			}
			if k.Type() != cty.String {
				return nil, nil
			}
			out = append(out, map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k, "value": e})})
			keys = append(keys, fmt.Sprintf("[%q]", k.AsString()))
		}
		return out, keys
	}
	return []map[string]cty.Value{nil}, []string{""}
}

// str evaluates e to a string in scope, or "".
func (m *module) str(e hcl.Expression, instance map[string]cty.Value) string {
	v, diags := e.Value(m.ctx(instance))
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return ""
	}
	if v.Type() == cty.Number {
		return v.AsBigFloat().Text('f', -1)
	}
	if v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// place is an address attribute of a resource.
type place struct {
	expr hcl.Expression
	kind string // "cidr" (10.0.0.5/24 or dhcp), "ipconfig" (ip=…,gw=…)
}

var ipconfigAttr = regexp.MustCompile(`^ipconfig([0-9]|1[0-5])$`)

// machine says how a resource type names its machine and where its
// static addresses are; ok is false for other resource types.
func machine(b *hclsyntax.Block) (name hcl.Expression, places []place, ok bool) {
	attr := func(body *hclsyntax.Body, n string) hcl.Expression {
		if a, ok := body.Attributes[n]; ok {
			return a.Expr
		}
		return nil
	}
	switch b.Labels[0] {
	case "proxmox_virtual_environment_vm", "proxmox_virtual_environment_container":
		name = attr(b.Body, "name")
		for _, init := range blocks(b.Body, "initialization") {
			if b.Labels[0] == "proxmox_virtual_environment_container" {
				name = attr(init.Body, "hostname")
			}
			for _, ipc := range blocks(init.Body, "ip_config") {
				for _, fam := range []string{"ipv4", "ipv6"} {
					for _, ip := range blocks(ipc.Body, fam) {
						if e := attr(ip.Body, "address"); e != nil {
							places = append(places, place{e, "cidr"})
						}
					}
				}
			}
		}
		return name, places, true
	case "proxmox_vm_qemu":
		name = attr(b.Body, "name")
		for _, n := range slices.Sorted(func(yield func(string) bool) {
			for k := range b.Body.Attributes {
				if !yield(k) {
					return
				}
			}
		}) {
			if ipconfigAttr.MatchString(n) {
				places = append(places, place{b.Body.Attributes[n].Expr, "ipconfig"})
			}
		}
		return name, places, true
	case "proxmox_lxc":
		name = attr(b.Body, "hostname")
		for _, nw := range blocks(b.Body, "network") {
			for _, n := range []string{"ip", "ip6"} {
				if e := attr(nw.Body, n); e != nil {
					places = append(places, place{e, "cidr"})
				}
			}
		}
		return name, places, true
	}
	return nil, nil, false
}

func blocks(b *hclsyntax.Body, typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, blk := range b.Blocks {
		if blk.Type == typ {
			out = append(out, blk)
		}
	}
	return out
}

// addresses reads the addresses a value gives: 10.0.0.5/24 (not dhcp,
// auto, manual) or ip=10.0.0.5/24,gw=… and ip6=….
func addresses(s, kind string) []netip.Addr {
	var vals []string
	if kind == "ipconfig" {
		for _, kv := range strings.Split(s, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			if k == "ip" || k == "ip6" {
				vals = append(vals, v)
			}
		}
	} else {
		vals = []string{s}
	}
	var out []netip.Addr
	for _, v := range vals {
		if p, err := netip.ParsePrefix(strings.TrimSpace(v)); err == nil {
			out = append(out, p.Addr().Unmap())
		} else if a, err := netip.ParseAddr(strings.TrimSpace(v)); err == nil {
			out = append(out, a.Unmap())
		}
	}
	return out
}

// claims evaluates the module's machines.
func (m *module) claims() []Claim {
	m.scope()
	var out []Claim
	for i, b := range m.files {
		for _, blk := range b.Blocks {
			if blk.Type != "resource" || len(blk.Labels) != 2 {
				continue
			}
			nameExpr, places, ok := machine(blk)
			if !ok || len(places) == 0 {
				continue
			}
			insts, keys := m.instances(blk)
			for j, inst := range insts {
				what := blk.Labels[0] + "." + blk.Labels[1] + keys[j]
				name := blk.Labels[1]
				if nameExpr != nil {
					if n := m.str(nameExpr, inst); n != "" {
						name = n
					} else {
						continue // a name not known here: nothing to compare
					}
				}
				for _, pl := range places {
					for _, a := range addresses(m.str(pl.expr, inst), pl.kind) {
						out = append(out, Claim{Addr: a, Name: host(name), What: what + " (" + name + ")", Source: Terraform,
							File: m.names[i], Line: pl.expr.Range().Start.Line})
					}
				}
			}
		}
	}
	return out
}

// cidrhost is Terraform's cidrhost(prefix, hostnum): the hostnum'th
// address of prefix, negative counting from its end.
var cidrhost = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "prefix", Type: cty.String}, {Name: "hostnum", Type: cty.Number}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := netip.ParsePrefix(args[0].AsString())
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		n, acc := args[1].AsBigFloat().Int(nil)
		if acc != big.Exact {
			return cty.UnknownVal(cty.String), fmt.Errorf("hostnum must be a whole number")
		}
		base := new(big.Int).SetBytes(p.Masked().Addr().AsSlice())
		size := new(big.Int).Lsh(big.NewInt(1), uint(p.Addr().BitLen()-p.Bits()))
		if n.Sign() < 0 {
			n.Add(n, size)
		}
		if n.Sign() < 0 || n.Cmp(size) >= 0 {
			return cty.UnknownVal(cty.String), fmt.Errorf("prefix %s has no host %s", p, args[1].AsBigFloat().String())
		}
		b := base.Add(base, n).FillBytes(make([]byte, p.Addr().BitLen()/8))
		a, _ := netip.AddrFromSlice(b)
		return cty.StringVal(a.String()), nil
	},
})

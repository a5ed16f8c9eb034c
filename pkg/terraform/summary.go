package terraform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/plumbline/plumbline/pkg/proc"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/secret"
)

// MaxPlanJSON bounds terraform show -json's output as read (pkg/proc keeps
// at most as much of a tool's output): a plan of thousands of resources is
// tens of MiB.
const MaxPlanJSON = proc.MaxOutput

// parsePlan reads terraform show -json's plan.
func parsePlan(data []byte) (*tfjson.Plan, error) {
	if len(data) > MaxPlanJSON {
		return nil, fmt.Errorf("the plan's JSON is larger than %d MiB", MaxPlanJSON>>20)
	}
	var p tfjson.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("terraform show -json: %w", err)
	}
	return &p, nil
}

// locator places a resource address at its block in the module's files:
// a resource of the root module at its resource block, one of a child
// module at the module call; else the module directory.
func locator(srcs []*source) func(addr, module string) (string, int) {
	type at struct {
		file string
		line int
	}
	blocks := map[string]at{}
	for _, s := range srcs {
		body, ok := s.file.Body.(*hclsyntax.Body)
		if !ok || s.vars || s.test {
			continue
		}
		for _, b := range body.Blocks {
			key := ""
			switch {
			case b.Type == "resource" && len(b.Labels) == 2:
				key = b.Labels[0] + "." + b.Labels[1]
			case b.Type == "module" && len(b.Labels) == 1:
				key = "module." + b.Labels[0]
			}
			if key != "" {
				blocks[key] = at{s.path, b.DefRange().Start.Line}
			}
		}
	}
	return func(addr, module string) (string, int) {
		key := addr
		if module != "" {
			// module.NAME[KEY].…: the call in the root module.
			parts := strings.SplitN(module, ".", 3)
			if len(parts) >= 2 {
				key = "module." + parts[1]
			}
		}
		if i := strings.IndexByte(key, '['); i >= 0 {
			key = key[:i] // count and for_each instances
		}
		if a, ok := blocks[key]; ok {
			return a.file, a.line
		}
		return "", 0
	}
}

// summarise turns a plan into findings: a note per resource created or
// changed, a warning per replacement, destruction and drift, an error when
// the destructions pass the limit. n counts them.
func summarise(mod string, p *tfjson.Plan, loc func(addr, module string) (string, int), max limit, mask func(string) string) ([]report.Finding, map[string]int) {
	var out []report.Finding
	n := map[string]int{"create": 0, "update": 0, "replace": 0, "destroy": 0, "drift": 0}
	place := func(rc *tfjson.ResourceChange) (string, int) {
		file, line := loc(rc.Address, rc.ModuleAddress)
		if file == "" {
			file = mod
		}
		return file, line
	}
	for _, rc := range p.ResourceChanges {
		if rc == nil || rc.Change == nil || rc.Mode != tfjson.ManagedResourceMode {
			continue
		}
		a := rc.Change.Actions
		var rule, verb string
		sev := report.Note
		switch {
		case a.Replace():
			rule, verb, sev = RulePlanReplace, "replaced", report.Warning
			n["replace"]++
			if len(rc.Change.ReplacePaths) > 0 {
				var why []string
				for _, rp := range rc.Change.ReplacePaths {
					why = append(why, attrPath(rp))
				}
				verb += " (" + strings.Join(why, ", ") + " forces it)"
			}
		case a.Create():
			rule, verb = RulePlanCreate, "created"
			n["create"]++
		case a.Update():
			rule, verb = RulePlanUpdate, "updated in place"
			n["update"]++
		case a.Delete():
			rule, verb, sev = RulePlanDestroy, "destroyed", report.Warning
			n["destroy"]++
		default:
			continue // no-op, read, forget
		}
		file, line := place(rc)
		out = append(out, report.Finding{Rule: rule, Severity: sev, File: file, Line: line,
			Message: mask(fmt.Sprintf("%s: %s will be %s", mod, rc.Address, verb)),
			Diff:    mask(changeDiff(rc.Address, a, rc.Change))})
	}
	for _, rc := range p.ResourceDrift {
		if rc == nil || rc.Change == nil || rc.Mode != tfjson.ManagedResourceMode {
			continue
		}
		what := "changed outside Terraform"
		if rc.Change.Actions.Delete() {
			what = "deleted outside Terraform"
		}
		n["drift"]++
		file, line := place(rc)
		out = append(out, report.Finding{Rule: RulePlanDrift, Severity: report.Warning, File: file, Line: line,
			Message: mask(fmt.Sprintf("%s: %s was %s: the state no longer says what runs", mod, rc.Address, what)),
			Diff:    mask(changeDiff(rc.Address, rc.Change.Actions, rc.Change))})
	}
	gone := n["destroy"] + n["replace"]
	if gone > 0 {
		existing := stateResources(p)
		over := false
		if max.percent {
			over = existing >= MinPlanned && gone*100 > max.n*existing
		} else {
			over = gone > max.n
		}
		if over {
			out = append(out, report.Finding{Rule: RulePlanMaxDestroy, Severity: report.Error, File: mod,
				Message: fmt.Sprintf("%s: the plan destroys or replaces %d of the %d resources in the state, more than --max-destroy %s allows: if it is meant, raise terraformPlan.maxDestroy for this change", mod, gone, existing, max.String())})
		}
	}
	return out, n
}

// stateResources counts the managed resources of the plan's prior state.
func stateResources(p *tfjson.Plan) int {
	if p.PriorState == nil || p.PriorState.Values == nil {
		return 0
	}
	total := 0
	var walk func(m *tfjson.StateModule)
	walk = func(m *tfjson.StateModule) {
		if m == nil {
			return
		}
		for _, r := range m.Resources {
			if r != nil && r.Mode == tfjson.ManagedResourceMode {
				total++
			}
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	walk(p.PriorState.Values.RootModule)
	return total
}

func attrPath(p any) string {
	parts, _ := p.([]any)
	var b strings.Builder
	for _, s := range parts {
		switch s := s.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		default:
			fmt.Fprintf(&b, "[%v]", s)
		}
	}
	return b.String()
}

// changeDiff is the change as terraform plan prints it: the attributes
// that change, sensitive ones as (sensitive value), unknown ones as
// (known after apply).
func changeDiff(addr string, a tfjson.Actions, c *tfjson.Change) string {
	sym := "~"
	switch {
	case a.Replace():
		sym = "-/+"
	case a.Create():
		sym = "+"
	case a.Delete():
		sym = "-"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", sym, addr)
	before, _ := c.Before.(map[string]any)
	after, _ := c.After.(map[string]any)
	unknown, _ := c.AfterUnknown.(map[string]any)
	bs, _ := c.BeforeSensitive.(map[string]any)
	as, _ := c.AfterSensitive.(map[string]any)
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	for k := range unknown {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	slices.Sort(sorted)
	show := func(v any, sens any, key string) string {
		if v == nil {
			return "null"
		}
		if sensitive(sens) || secret.Name(key) {
			return "(sensitive value)"
		}
		data, err := json.Marshal(v)
		if err != nil {
			return "?"
		}
		return report.Truncate(string(data), 200)
	}
	for _, k := range sorted {
		bv, inBefore := before[k]
		av, inAfter := after[k]
		if u, ok := unknown[k]; ok && u == true {
			av, inAfter = "(known after apply)", true
		}
		switch {
		case a.Create() && !a.Replace():
			if av == nil {
				continue
			}
			val := show(av, as[k], k)
			if s, ok := av.(string); ok && s == "(known after apply)" {
				val = s
			}
			fmt.Fprintf(&b, "    + %s = %s\n", k, val)
		case a.Delete() && !a.Replace():
			if bv == nil {
				continue
			}
			fmt.Fprintf(&b, "    - %s = %s\n", k, show(bv, bs[k], k))
		default:
			if inBefore && inAfter && jsonEqual(bv, av) && sensitive(bs[k]) == sensitive(as[k]) {
				continue
			}
			val := show(av, as[k], k)
			if s, ok := av.(string); ok && s == "(known after apply)" {
				val = s
			}
			fmt.Fprintf(&b, "    ~ %s = %s -> %s\n", k, show(bv, bs[k], k), val)
		}
	}
	return b.String()
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// sensitive reports whether terraform's sensitivity mark says any part of
// a value is sensitive.
func sensitive(mark any) bool {
	switch m := mark.(type) {
	case bool:
		return m
	case map[string]any:
		for _, v := range m {
			if sensitive(v) {
				return true
			}
		}
	case []any:
		for _, v := range m {
			if sensitive(v) {
				return true
			}
		}
	}
	return false
}

// maskPlan is the plan's JSON for policy-check with nothing secret left:
// values terraform marks sensitive and values under credential names are
// "(sensitive value)", the configuration and the variables are left out
// (a literal in the configuration and a variable's value are there in the
// clear), and every credential of the run is masked.
func maskPlan(data []byte, mask func(string) string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var p map[string]any
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("terraform show -json: %w", err)
	}
	delete(p, "configuration")
	delete(p, "variables")
	for _, key := range []string{"resource_changes", "resource_drift"} {
		list, _ := p[key].([]any)
		for _, rc := range list {
			m, _ := rc.(map[string]any)
			ch, _ := m["change"].(map[string]any)
			if ch == nil {
				continue
			}
			ch["before"] = maskMarked(ch["before"], ch["before_sensitive"], "")
			ch["after"] = maskMarked(ch["after"], ch["after_sensitive"], "")
		}
	}
	if oc, ok := p["output_changes"].(map[string]any); ok {
		for k, v := range oc {
			ch, _ := v.(map[string]any)
			if ch == nil {
				continue
			}
			ch["before"] = maskMarked(ch["before"], ch["before_sensitive"], k)
			ch["after"] = maskMarked(ch["after"], ch["after_sensitive"], k)
		}
	}
	for _, key := range []string{"planned_values", "prior_state"} {
		v, _ := p[key].(map[string]any)
		if key == "prior_state" {
			v, _ = v["values"].(map[string]any)
		}
		if v == nil {
			continue
		}
		if outs, ok := v["outputs"].(map[string]any); ok {
			for k, o := range outs {
				om, _ := o.(map[string]any)
				if om != nil {
					om["value"] = maskMarked(om["value"], om["sensitive"], k)
				}
			}
		}
		maskModule(v["root_module"])
	}
	out, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, err
	}
	return []byte(mask(string(out))), nil
}

func maskModule(m any) {
	mod, _ := m.(map[string]any)
	if mod == nil {
		return
	}
	res, _ := mod["resources"].([]any)
	for _, r := range res {
		rm, _ := r.(map[string]any)
		if rm != nil {
			rm["values"] = maskMarked(rm["values"], rm["sensitive_values"], "")
		}
	}
	kids, _ := mod["child_modules"].([]any)
	for _, k := range kids {
		maskModule(k)
	}
}

// maskMarked replaces what mark says is sensitive, and what sits under a
// credential's name, in v.
func maskMarked(v, mark any, key string) any {
	if mark == true || key != "" && secret.Name(key) {
		if v == nil {
			return nil
		}
		return "(sensitive value)"
	}
	switch vv := v.(type) {
	case map[string]any:
		mm, _ := mark.(map[string]any)
		for k, x := range vv {
			vv[k] = maskMarked(x, mm[k], k)
		}
	case []any:
		ml, _ := mark.([]any)
		for i, x := range vv {
			var mi any
			if i < len(ml) {
				mi = ml[i]
			}
			vv[i] = maskMarked(x, mi, "")
		}
	}
	return v
}

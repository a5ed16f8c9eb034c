package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/plumbline/plumbline/pkg/kube"
	"github.com/plumbline/plumbline/pkg/report"
)

// Rule ids of the wiring check: within one rendered kustomization, a
// Service that selects no pod and a route to no Service.
const (
	RuleServiceNoPods    = "k8s/service-no-pods"
	RuleBackendNoService = "k8s/backend-no-service"
)

// leafKinds are custom kinds that create no pods and no Services: a build
// holding only these beside built-in kinds shows everything that will
// run. Any other custom kind (a HelmRelease, an Application, an
// operator's database) may create pods or Services the build does not
// show, and then neither rule judges the build.
var leafKinds = map[string]bool{
	"IngressRoute": true, "IngressRouteTCP": true, "IngressRouteUDP": true, "Middleware": true,
	"MiddlewareTCP": true, "ServersTransport": true, "TLSOption": true, "TLSStore": true,
	"HTTPRoute": true, "GRPCRoute": true, "TCPRoute": true, "TLSRoute": true, "UDPRoute": true,
	"ReferenceGrant": true, "Certificate": true, "Issuer": true, "ClusterIssuer": true,
	"ServiceMonitor": true, "PodMonitor": true, "PrometheusRule": true, "ScrapeConfig": true,
	"ExternalSecret": true, "SealedSecret": true, "SecretStore": true, "ClusterSecretStore": true,
	"CiliumNetworkPolicy": true, "IPAddressPool": true, "L2Advertisement": true, "BGPPeer": true,
	"VolumeSnapshotClass": true, "PodDisruptionBudget": true,
}

// podTemplatePath is where a workload kind keeps its pod template.
var podTemplatePath = map[string][]string{
	"Deployment": {"spec", "template"}, "StatefulSet": {"spec", "template"}, "DaemonSet": {"spec", "template"},
	"ReplicaSet": {"spec", "template"}, "ReplicationController": {"spec", "template"}, "Job": {"spec", "template"},
	"CronJob": {"spec", "jobTemplate", "spec", "template"}, "Pod": nil,
}

type wiringObject struct {
	doc       document
	m         map[string]any
	kind, ns  string
	name      string
	podLabels map[string]any // a workload's pod template labels
}

// checkWiring adds, for each rendered kustomization that shows every pod
// and Service it makes, a warning at a Service's selector that matches no
// pod template of its namespace, and at an Ingress, HTTPRoute or Traefik
// IngressRoute backend naming no Service there: both build, apply and sync
// cleanly, and then route nothing.
func (r *run) checkWiring(rep *report.Report, k *kube.Checker) {
	for i, fr := range r.results {
		b := r.builds[i]
		if b == nil || b.Err != nil || fr.input == nil {
			continue
		}
		var objs []wiringObject
		closed := true
		for _, d := range fileDocuments(i, fr.input) {
			m, _ := d.v.(map[string]any)
			kind, _ := m["kind"].(string)
			apiVersion, _ := m["apiVersion"].(string)
			if kind == "" || apiVersion == "" {
				continue
			}
			if !k.Builtin(apiVersion) && !leafKinds[kind] {
				closed = false
				break
			}
			meta, _ := m["metadata"].(map[string]any)
			o := wiringObject{doc: d, m: m, kind: kind, ns: str(meta["namespace"]), name: str(meta["name"])}
			if p, ok := podTemplatePath[kind]; ok {
				t := dig(m, p...)
				tm, _ := dig(t, "metadata").(map[string]any)
				o.podLabels, _ = tm["labels"].(map[string]any)
				if kind == "Pod" {
					o.podLabels, _ = meta["labels"].(map[string]any)
				}
			}
			objs = append(objs, o)
		}
		if !closed {
			continue
		}
		rep.Findings = append(rep.Findings, r.wiring(objs)...)
	}
}

// wiringBudget bounds the pod templates compared with selectors in one
// build: a build of many Services whose every label is common, yet whose
// selectors match nothing, would otherwise cost Services × pods.
var wiringBudget = 1 << 22 // a variable for its test

func (r *run) wiring(objs []wiringObject) []report.Finding {
	var out []report.Finding
	services := map[string]bool{} // namespace/name
	// The pod templates of each namespace having each label (k=v): a
	// selector's candidates are those of its rarest label.
	pods := map[string]map[string][]map[string]any{}
	for _, o := range objs {
		if o.kind == "Service" {
			services[o.ns+"/"+o.name] = true
		}
		if o.podLabels == nil {
			continue
		}
		if pods[o.ns] == nil {
			pods[o.ns] = map[string][]map[string]any{}
		}
		for k, v := range o.podLabels {
			kv := fmt.Sprintf("%s=%v", k, v)
			pods[o.ns][kv] = append(pods[o.ns][kv], o.podLabels)
		}
	}
	budget, unjudged := wiringBudget, 0
	var firstUnjudged wiringObject
	for _, o := range objs {
		switch o.kind {
		case "Service":
			sel, _ := dig(o.m, "spec", "selector").(map[string]any)
			if len(sel) == 0 || str(dig(o.m, "spec", "type")) == "ExternalName" || pods[o.ns] == nil {
				continue
			}
			var cands []map[string]any
			first := true
			for k, v := range sel {
				c := pods[o.ns][fmt.Sprintf("%s=%v", k, v)]
				if first || len(c) < len(cands) {
					cands, first = c, false
				}
			}
			if budget -= len(cands); budget < 0 {
				if unjudged++; unjudged == 1 {
					firstUnjudged = o
				}
				continue
			}
			if !slices.ContainsFunc(cands, func(labels map[string]any) bool { return selects(sel, labels) }) {
				out = append(out, r.wiringFinding(o, []any{"spec", "selector"}, RuleServiceNoPods, report.Warning, fmt.Sprintf(
					"Service/%s: selector %s matches no pod template in namespace %s of this build: the Service has no endpoints",
					o.name, labelString(sel), nsName(o.ns))))
			}
		case "Ingress":
			if !strings.HasPrefix(str(o.m["apiVersion"]), "networking.k8s.io/") {
				continue
			}
			check := func(path []any, svc map[string]any) {
				name := str(svc["name"])
				if name != "" && !strings.Contains(name, "$") && !services[o.ns+"/"+name] {
					out = append(out, r.wiringFinding(o, path, RuleBackendNoService, report.Warning, fmt.Sprintf(
						"Ingress/%s: backend Service %s is not in namespace %s of this build: requests get 503", o.name, name, nsName(o.ns))))
				}
			}
			if svc, ok := dig(o.m, "spec", "defaultBackend", "service").(map[string]any); ok {
				check([]any{"spec", "defaultBackend", "service", "name"}, svc)
			}
			rules, _ := dig(o.m, "spec", "rules").([]any)
			for ri, rule := range rules {
				paths, _ := dig(rule, "http", "paths").([]any)
				for pi, p := range paths {
					if svc, ok := dig(p, "backend", "service").(map[string]any); ok {
						check([]any{"spec", "rules", ri, "http", "paths", pi, "backend", "service", "name"}, svc)
					}
				}
			}
		case "HTTPRoute", "GRPCRoute", "IngressRoute":
			// Gateway API routes: spec.rules[].backendRefs[]; Traefik:
			// spec.routes[].services[].
			list, refs := "rules", "backendRefs"
			if o.kind == "IngressRoute" {
				list, refs = "routes", "services"
			}
			rules, _ := dig(o.m, "spec", list).([]any)
			for ri, rule := range rules {
				backends, _ := dig(rule, refs).([]any)
				for bi, be := range backends {
					m, _ := be.(map[string]any)
					if k := str(m["kind"]); k != "" && k != "Service" || str(m["group"]) != "" {
						continue // a TraefikService, another backend kind
					}
					name, ns := str(m["name"]), o.ns
					if n := str(m["namespace"]); n != "" {
						ns = n
					}
					if name == "" || strings.Contains(name, "$") || services[ns+"/"+name] || ns != o.ns {
						continue // another namespace's Service is another build's
					}
					out = append(out, r.wiringFinding(o, []any{"spec", list, ri, refs, bi, "name"}, RuleBackendNoService, report.Warning, fmt.Sprintf(
						"%s/%s: backend Service %s is not in namespace %s of this build: requests to it fail", o.kind, o.name, name, nsName(ns))))
				}
			}
		}
	}
	if unjudged > 0 {
		out = append(out, r.wiringFinding(firstUnjudged, []any{"spec", "selector"}, RuleServiceNoPods, report.Note, fmt.Sprintf(
			"%d Services from this one on not judged: their selectors' pod templates came to more than %d comparisons in this build", unjudged, wiringBudget)))
	}
	return out
}

func (r *run) wiringFinding(o wiringObject, path []any, rule string, sev report.Severity, msg string) report.Finding {
	return r.placed(o.doc.file, append(slices.Clone(o.doc.path), path...), rule, sev,
		"Within one rendered kustomization that shows every pod and Service it makes (only built-in kinds and custom kinds known to make neither): a Service selector matching no pod template, a route to no Service. Both apply cleanly and route nothing (docs/rules/wiring.md).",
		msg)
}

// selects: every key of the selector is a label of the pod with its value.
func selects(sel, labels map[string]any) bool {
	if labels == nil {
		return false
	}
	for k, v := range sel {
		if fmt.Sprint(labels[k]) != fmt.Sprint(v) || labels[k] == nil {
			return false
		}
	}
	return true
}

func labelString(m map[string]any) string {
	keys := slices.Sorted(maps.Keys(m))
	for i, k := range keys {
		keys[i] = fmt.Sprintf("%s=%v", k, m[k])
	}
	return strings.Join(keys, ",")
}

func nsName(ns string) string {
	if ns == "" {
		return "(none set)"
	}
	return ns
}

// dig follows keys through nested maps; nil where one is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

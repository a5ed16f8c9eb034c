package policy

import (
	"fmt"
	"slices"
	"strings"

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

// builtinGroup: an apiVersion of Kubernetes itself.
func builtinGroup(apiVersion string) bool {
	i := strings.LastIndexByte(apiVersion, '/')
	if i < 0 {
		return true // v1
	}
	g := apiVersion[:i]
	return !strings.Contains(g, ".") || strings.HasSuffix(g, ".k8s.io") && !strings.HasPrefix(g, "gateway.networking.")
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
func (r *run) checkWiring(rep *report.Report) {
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
			if !builtinGroup(apiVersion) && !leafKinds[kind] {
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

func (r *run) wiring(objs []wiringObject) []report.Finding {
	var out []report.Finding
	services := map[string]bool{} // namespace/name
	pods := map[string]int{}      // pod templates per namespace
	for _, o := range objs {
		if o.kind == "Service" {
			services[o.ns+"/"+o.name] = true
		}
		if o.podLabels != nil {
			pods[o.ns]++
		}
	}
	for _, o := range objs {
		switch o.kind {
		case "Service":
			sel, _ := dig(o.m, "spec", "selector").(map[string]any)
			if len(sel) == 0 || str(dig(o.m, "spec", "type")) == "ExternalName" || pods[o.ns] == 0 {
				continue
			}
			if !slices.ContainsFunc(objs, func(p wiringObject) bool { return p.ns == o.ns && selects(sel, p.podLabels) }) {
				out = append(out, r.wiringFinding(o, []any{"spec", "selector"}, RuleServiceNoPods, fmt.Sprintf(
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
					out = append(out, r.wiringFinding(o, path, RuleBackendNoService, fmt.Sprintf(
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
					out = append(out, r.wiringFinding(o, []any{"spec", list, ri, refs, bi, "name"}, RuleBackendNoService, fmt.Sprintf(
						"%s/%s: backend Service %s is not in namespace %s of this build: requests to it fail", o.kind, o.name, name, nsName(ns))))
				}
			}
		}
	}
	return out
}

func (r *run) wiringFinding(o wiringObject, path []any, rule, msg string) report.Finding {
	l := located{file: o.doc.file, doc: append(slices.Clone(o.doc.path), path...), input: r.results[o.doc.file].input}
	l.Outcome = Outcome{Message: msg}
	f := r.finding(l)
	f.Rule, f.Severity = rule, report.Warning
	f.Help = "Within one rendered kustomization that shows every pod and Service it makes (only built-in kinds and custom kinds known to make neither): a Service selector matching no pod template, a route to no Service. Both apply cleanly and route nothing (docs/rules/wiring.md)."
	return f
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
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
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

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// sidecarFlag is the Tekton feature flag that makes every TaskRun's first
// step wait for the controller to mark the pod ready: about two seconds of
// plumbline-validate's seven (docs/tasks.md).
const sidecarFlag = "running-in-environment-with-injected-sidecars"

// injectors are names of the mutating webhooks that inject sidecars into
// pods (service meshes, secret agents): where one runs, Tekton must wait.
var injectors = []string{"istio", "linkerd", "kuma", "consul", "osm-webhook", "vault-agent-injector", "dapr", "sidecar-injector"}

// sidecarAdvice says what the feature flags cost a run and what to do,
// from Tekton's feature-flags data and the cluster's mutating webhooks
// (nil: they could not be listed); empty when Tekton does not wait.
func sidecarAdvice(flags map[string]string, webhooks []string) string {
	if !flagOn(flags[sidecarFlag]) || !flagOn(flags["await-sidecar-readiness"]) {
		return ""
	}
	const waits = "Tekton waits for injected sidecars before each run's first step (feature-flags " + sidecarFlag + ")"
	for _, w := range webhooks {
		for _, name := range injectors {
			if strings.Contains(w, name) {
				return fmt.Sprintf("%s, as it must here: the webhook %s injects them", waits, w)
			}
		}
	}
	patch := "kubectl patch configmap feature-flags -n tekton-pipelines --type merge -p '{\"data\": {\"" + sidecarFlag + "\": \"false\"}}'"
	if webhooks == nil {
		return fmt.Sprintf("%s; if nothing injects sidecars into the runs' pods (no service mesh), %s starts plumbline-validate about two seconds sooner (docs/quickstart.md)", waits, patch)
	}
	return fmt.Sprintf("%s, and no webhook here injects any: %s starts plumbline-validate about two seconds sooner (docs/quickstart.md)", waits, patch)
}

// flagOn reads a feature flag as Tekton does (strconv.ParseBool, both of
// these true by default): a value it refuses leaves the default.
func flagOn(v string) bool {
	on, err := strconv.ParseBool(v)
	return err != nil || on
}

// adviseSidecars prints sidecarAdvice for the cluster; a Tekton whose
// flags cannot be read (another namespace, no permission) gets none.
func (o *options) adviseSidecars(ctx context.Context) {
	out, err := o.sh(ctx, nil, nil, "kubectl", "get", "configmap", "feature-flags", "-n", "tekton-pipelines", "-o", "json")
	if err != nil {
		return
	}
	var cm struct {
		Data map[string]string `json:"data"`
	}
	if json.Unmarshal(out, &cm) != nil {
		return
	}
	var webhooks []string
	if names, err := o.sh(ctx, nil, nil, "kubectl", "get", "mutatingwebhookconfigurations", "-o", "jsonpath={.items[*].metadata.name}"); err == nil {
		webhooks = append([]string{}, strings.Fields(string(names))...)
	}
	if advice := sidecarAdvice(cm.Data, webhooks); advice != "" {
		o.say("%s", advice)
	}
}

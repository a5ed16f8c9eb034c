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

// Where the flag is set: Tekton's feature-flags ConfigMap, or, where the
// Tekton Operator (or OpenShift Pipelines) manages Tekton, its
// TektonConfig, which the operator copies over the ConfigMap.
const (
	configMapPatch = "kubectl patch configmap feature-flags -n tekton-pipelines --type merge -p '{\"data\": {\"" + sidecarFlag + "\": \"false\"}}'"
	operatorPatch  = "kubectl patch tektonconfig config --type merge -p '{\"spec\": {\"pipeline\": {\"" + sidecarFlag + "\": false}}}'"
)

// sidecarAdvice says what the feature flags cost a run and what to do
// (patch), from Tekton's flags and the cluster's mutating webhooks (nil:
// they could not be listed); empty when Tekton does not wait.
func sidecarAdvice(flags map[string]string, webhooks []string, patch string) string {
	if !flagOn(flags[sidecarFlag]) || !flagOn(flags["await-sidecar-readiness"]) {
		return ""
	}
	const waits = "Tekton waits for injected sidecars before each run's first step (its feature flag " + sidecarFlag + ")"
	for _, w := range webhooks {
		for _, name := range injectors {
			if strings.Contains(w, name) {
				return fmt.Sprintf("%s, as it must here: the webhook %s injects them", waits, w)
			}
		}
	}
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
	flags, ok := o.operatorFlags(ctx)
	patch := operatorPatch
	if !ok {
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
		flags, patch = cm.Data, configMapPatch
	}
	var webhooks []string
	if names, err := o.sh(ctx, nil, nil, "kubectl", "get", "mutatingwebhookconfigurations", "-o", "jsonpath={.items[*].metadata.name}"); err == nil {
		webhooks = append([]string{}, strings.Fields(string(names))...)
	}
	if advice := sidecarAdvice(flags, webhooks, patch); advice != "" {
		o.say("%s", advice)
	}
}

// operatorFlags reads the pipeline flags of the Tekton Operator's
// TektonConfig "config", when there is one: there a patch of the
// ConfigMap would be undone by the operator.
func (o *options) operatorFlags(ctx context.Context) (map[string]string, bool) {
	out, err := o.sh(ctx, nil, nil, "kubectl", "get", "tektonconfigs.operator.tekton.dev", "config", "-o", "json")
	if err != nil {
		return nil, false
	}
	return tektonConfigFlags(out)
}

// tektonConfigFlags reads spec.pipeline of a TektonConfig as flag
// strings (the operator writes them as booleans or strings).
func tektonConfigFlags(data []byte) (map[string]string, bool) {
	var tc struct {
		Kind string `json:"kind"`
		Spec struct {
			Pipeline map[string]any `json:"pipeline"`
		} `json:"spec"`
	}
	if json.Unmarshal(data, &tc) != nil || tc.Kind != "TektonConfig" {
		return nil, false
	}
	flags := map[string]string{}
	for k, v := range tc.Spec.Pipeline {
		switch v := v.(type) {
		case string:
			flags[k] = v
		case bool:
			flags[k] = strconv.FormatBool(v)
		}
	}
	return flags, true
}

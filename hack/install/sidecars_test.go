package main

import (
	"strings"
	"testing"
)

// Tekton waits for sidecars unless either flag is false; the advice to
// stop it is given only where no injecting webhook is seen.
func TestSidecarAdvice(t *testing.T) {
	tekton := []string{"webhook.pipeline.tekton.dev", "webhook.triggers.tekton.dev"}
	for _, tc := range []struct {
		name     string
		flags    map[string]string
		webhooks []string
		want     string // a part of the advice; "" for none
	}{
		{"defaults, nothing injects", map[string]string{}, tekton, "no webhook here injects any: kubectl patch configmap feature-flags"},
		{"flag true as written", map[string]string{sidecarFlag: "true"}, tekton, "about two seconds sooner"},
		{"flag false", map[string]string{sidecarFlag: "false"}, tekton, ""},
		{"flag false, other spelling", map[string]string{sidecarFlag: "FALSE"}, tekton, ""},
		{"a space Tekton refuses", map[string]string{sidecarFlag: " false"}, tekton, "about two seconds sooner"},
		{"not awaiting readiness", map[string]string{"await-sidecar-readiness": "false"}, tekton, ""},
		{"istio", map[string]string{}, append(tekton, "istio-sidecar-injector"), "as it must here: the webhook istio-sidecar-injector injects them"},
		{"linkerd", map[string]string{}, []string{"linkerd-proxy-injector-webhook-config"}, "as it must here"},
		{"vault agent", map[string]string{}, []string{"vault-agent-injector-cfg"}, "as it must here"},
		{"webhooks unknown", map[string]string{}, nil, "if nothing injects sidecars into the runs' pods"},
		{"a value Tekton refuses leaves its default", map[string]string{sidecarFlag: "no"}, []string{}, "no webhook here injects any"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sidecarAdvice(tc.flags, tc.webhooks, configMapPatch)
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("advice %q, want one with %q", got, tc.want)
			}
			if got != "" && !strings.Contains(got, sidecarFlag) {
				t.Errorf("advice %q does not name the flag", got)
			}
		})
	}
}

// TestOperatorFlags: where the Tekton Operator manages Tekton, the flags
// are its TektonConfig's (booleans or strings, absent means Tekton's
// default) and the advice patches the TektonConfig, which the operator
// copies over the ConfigMap. The objects are as the operator's
// documentation shows TektonConfig (tekton.dev/docs/operator/tektonconfig,
// operator v0.77): no operator runs here.
func TestOperatorFlags(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		ok         bool
		want       string
	}{
		{"defaults", `{"kind": "TektonConfig", "spec": {"targetNamespace": "tekton-pipelines", "pipeline": {"enable-api-fields": "beta", "await-sidecar-readiness": true}}}`, true,
			"kubectl patch tektonconfig config --type merge -p '{\"spec\": {\"pipeline\": {\"running-in-environment-with-injected-sidecars\": false}}}'"},
		{"set false", `{"kind": "TektonConfig", "spec": {"pipeline": {"running-in-environment-with-injected-sidecars": false}}}`, true, ""},
		{"set false as a string", `{"kind": "TektonConfig", "spec": {"pipeline": {"running-in-environment-with-injected-sidecars": "false"}}}`, true, ""},
		{"readiness not awaited", `{"kind": "TektonConfig", "spec": {"pipeline": {"await-sidecar-readiness": false}}}`, true, ""},
		{"not a TektonConfig", `{"kind": "Status", "status": "Failure"}`, false, ""},
		{"not JSON", `error: the server doesn't have a resource type "tektonconfigs"`, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			flags, ok := tektonConfigFlags([]byte(tc.json))
			if ok != tc.ok {
				t.Fatalf("read %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			got := sidecarAdvice(flags, []string{"webhook.operator.tekton.dev"}, operatorPatch)
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("advice %q, want one with %q", got, tc.want)
			}
		})
	}
}

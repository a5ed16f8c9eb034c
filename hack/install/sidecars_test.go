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
			got := sidecarAdvice(tc.flags, tc.webhooks)
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("advice %q, want one with %q", got, tc.want)
			}
			if got != "" && !strings.Contains(got, sidecarFlag) {
				t.Errorf("advice %q does not name the flag", got)
			}
		})
	}
}

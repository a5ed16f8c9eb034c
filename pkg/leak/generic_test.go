package leak

import (
	"context"
	"strings"
	"testing"

	"github.com/zricethezav/gitleaks/v8/detect"
)

// genericFindings is what gitleaks' generic rule finds in data, with the
// whole detector.
func genericFindings(t *testing.T, data string) int {
	t.Helper()
	det, err := tokens()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range det.DetectContext(context.Background(), detect.Fragment{Raw: data, FilePath: "a.yaml"}) {
		if f.RuleID == genericRule {
			n++
		}
	}
	return n
}

func idle(t *testing.T, data string) bool {
	t.Helper()
	det, err := tokens()
	if err != nil {
		t.Fatal(err)
	}
	return genericIdle(det.Config.Rules[genericRule], det.MaxDecodeDepth, data, strings.ToLower(data))
}

// The generic rule is left out only where it finds nothing: a file whose
// one keyword is the api of apiVersion keys with values it does not take.
func TestGenericIdle(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		idle       bool
	}{
		{"a manifest", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n", true},
		{"a list of objects", "items:\n  - apiVersion: v1\n    kind: ConfigMap\n", true},
		{"a CRD's group", "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\n", true},
		{"the last line without a newline", "kind: Namespace\napiVersion: v1", true},
		// The rule's expression takes this value (its entropy decides).
		{"a value the expression takes", "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n", false},
		{"another keyword", "apiVersion: v1\nkind: Secret\nstringData:\n  token: abc\n", false},
		{"a keyword inside a word", "apiVersion: v1\nkind: ConfigMap\ndata:\n  animal: monkey\n", false},
		{"api elsewhere", "apiVersion: v1\nkind: ConfigMap\ndata:\n  url: https://api.example.com\n", false},
		{"an empty apiVersion", "apiVersion:\n  token_value: 0123456789abcdef\n", false},
		{"a key in another case", "APIVersion: v1\n", false},
		{"lower-casing changes the length", "apiVersion: v1\nname: \u0130stanbul\n", false},
	} {
		if got := idle(t, tc.data); got != tc.idle {
			t.Errorf("%s: idle %v, want %v", tc.name, got, tc.idle)
		}
		if tc.idle && genericFindings(t, tc.data) != 0 {
			t.Errorf("%s: idle, but the generic rule finds something", tc.name)
		}
	}
}

// FuzzGenericIdle: wherever the rule is left out, the whole detector's
// generic rule finds nothing (testdata/fuzz/FuzzGenericIdle holds the
// seeds).
func FuzzGenericIdle(f *testing.F) {
	f.Add("apiVersion: apps/v1\nkind: Deployment\n")
	f.Add("- apiVersion: batch/v1\n  kind: CronJob\n")
	f.Add("apiVersion: cert-manager.io/v1\nkind: Certificate\nspec:\n  secretName: web-tls\n")
	f.Add("apiVersion: \"v1\"\nkind: Pod\n")
	f.Fuzz(func(t *testing.T, data string) {
		if len(data) > 1<<14 {
			return
		}
		if idle(t, data) && genericFindings(t, data) != 0 {
			t.Fatalf("left out the generic rule, which finds something in %q", data)
		}
	})
}

package kube

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/plumbline/plumbline/pkg/policy/parser"
)

func parse(t testing.TB, src string) any {
	t.Helper()
	p, _ := parser.New("yaml")
	in, err := p.Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return in.Value
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{containerPort: 80, protocol: TCP}]
          resources: {limits: {cpu: 500m, memory: 128Mi}, requests: {cpu: 0.1}}
          livenessProbe: {httpGet: {port: http, path: /}}
          readinessProbe: {tcpSocket: {port: 80}}
`

// TestCheck: what the API server's decoding refuses, each at its path.
func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		outcome Outcome
		want    []string
	}{
		{"valid deployment", deployment, Checked, nil},
		{"misspelt field", replace(deployment, "replicas: 2", "replica: 2"), Checked,
			[]string{`[spec replica]: unknown field "spec.replica"`}},
		{"port as a string", replace(deployment, "containerPort: 80", `containerPort: "80"`), Checked,
			[]string{`[spec template spec containers 0 ports 0 containerPort]: spec.template.spec.containers[0].ports[0].containerPort: want an integer, got "80"`}},
		{"missing selector", replace(deployment, "  selector: {matchLabels: {app: web}}\n", ""), Checked,
			[]string{`[spec]: spec: missing required field "selector"`}},
		{"missing container name", replace(deployment, "- name: web\n          image", "- image"), Checked,
			[]string{`[spec template spec containers 0]: spec.template.spec.containers[0]: missing required field "name"`}},
		{"bad quantity", replace(deployment, "memory: 128Mi", "memory: 128MB"), Checked,
			[]string{`[spec template spec containers 0 resources limits memory]: spec.template.spec.containers[0].resources.limits.memory: "128MB" is not a quantity (like 500m, 128Mi, 2Gi)`}},
		{"label not a string", replace(deployment, "labels: {app: web}\nspec", "labels: {app: web, version: 2}\nspec"), Checked,
			[]string{`[metadata labels version]: metadata.labels.version: want a string, got 2`}},
		{"float replicas", replace(deployment, "replicas: 2", "replicas: 2.5"), Checked,
			[]string{`[spec replicas]: spec.replicas: want an integer, got 2.5`}},
		{"list where an object is", replace(deployment, "selector: {matchLabels: {app: web}}", "selector: [app]"), Checked,
			[]string{`[spec selector]: spec.selector: want an object, got a list`}},
		{"null is allowed", replace(deployment, "replicas: 2", "replicas: null"), Checked, nil},
		{"removed version", replace(deployment, "apps/v1", "extensions/v1beta1"), Checked,
			[]string{`[apiVersion]: extensions/v1beta1 Deployment is not served by Kubernetes 1.34.4 (a removed or misspelt apiVersion or kind)`}},
		{"misspelt kind", replace(deployment, "kind: Deployment", "kind: Deploymnet"), Checked,
			[]string{`[apiVersion]: apps/v1 Deploymnet is not served by Kubernetes 1.34.4 (a removed or misspelt apiVersion or kind)`}},
		{"custom kind", "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec: {anything: 1}\n", Unchecked, nil},
		{"kustomization", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n", Skipped, nil},
		{"not a manifest", "hosts: all\ntasks: []\n", NotObject, nil},
		{"service", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 53, targetPort: dns, protocol: UDP}]\n  selector: {app: dns}\n", Checked, nil},
		{"service port missing", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{targetPort: 53}]\n", Checked,
			[]string{`[spec ports 0]: spec.ports[0]: missing required field "port"`}},
		{"configmap data not strings", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {enabled: true, count: 3}\n", Checked,
			[]string{`[data count]: data.count: want a string, got 3`, `[data enabled]: data.enabled: want a string, got true`}},
	}
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outcome, problems := c.Check(parse(t, tt.src))
			if outcome != tt.outcome {
				t.Errorf("outcome %d, want %d", outcome, tt.outcome)
			}
			var got []string
			for _, p := range problems {
				got = append(got, fmt.Sprintf("%v: %s", p.Path, p.Msg))
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("problems (-want +got):\n%s", d)
			}
		})
	}
}

func replace(s, old, new string) string {
	out := ""
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return out + new + s[i+len(old):]
		}
		out += s[i : i+1]
	}
	panic("no " + old)
}

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: issuers.example.home.arpa}
spec:
  group: example.home.arpa
  names: {kind: Issuer, plural: issuers}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [server]
              properties:
                server: {type: string}
                retries: {type: integer}
                mode: {type: string, enum: [staging, prod]}
                port: {x-kubernetes-int-or-string: true}
                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
                tags: {type: object, additionalProperties: {type: string}}
                template:
                  type: object
                  x-kubernetes-embedded-resource: true
                  x-kubernetes-preserve-unknown-fields: true
`

// TestCRD: a custom kind is checked against the CRD in the repository.
func TestCRD(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := c.AddCRD(parse(t, crd)); !ok || err != nil {
		t.Fatalf("AddCRD: %v %v", ok, err)
	}
	head := "apiVersion: example.home.arpa/v1\nkind: Issuer\nmetadata: {name: a, labels: {x: z}}\n"
	tests := []struct {
		spec string
		want []string
	}{
		{"spec: {server: s, retries: 3, mode: prod, port: 80, extra: {any: [1]}, tags: {a: b}, template: {apiVersion: v1, kind: Pod, x: 1}}", nil},
		{"spec: {server: s, port: http}", nil},
		{"spec: {retries: 3}", []string{`[spec]: spec: missing required field "server"`}},
		{"spec: {server: s, retrys: 3}", []string{`[spec retrys]: unknown field "spec.retrys"`}},
		{"spec: {server: s, mode: test}", []string{`[spec mode]: spec.mode: "test" is not one of "staging", "prod"`}},
		{"spec: {server: s, tags: {a: 1}}", []string{`[spec tags a]: spec.tags.a: want a string, got 1`}},
		{"spec: {server: s}\nstatus: {}", []string{`[status]: unknown field "status"`}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			outcome, problems := c.Check(parse(t, head+tt.spec+"\n"))
			if outcome != Checked {
				t.Fatalf("outcome %d", outcome)
			}
			var got []string
			for _, p := range problems {
				got = append(got, fmt.Sprintf("%v: %s", p.Path, p.Msg))
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// FuzzCheck: any YAML document, checked as a built-in kind or against a
// CRD, never panics and reports at most MaxProblems problems.
func FuzzCheck(f *testing.F) {
	f.Add(deployment)
	f.Add("apiVersion: v1\nkind: Pod\nspec: {containers: [{name: a, ports: [{containerPort: x}]}]}\n")
	f.Add("apiVersion: example.home.arpa/v1\nkind: Issuer\nspec: {port: [1]}\n")
	f.Add(crd)
	p, _ := parser.New("yaml")
	crdDoc := parse(f, crd)
	f.Fuzz(func(t *testing.T, src string) {
		in, err := p.Parse("f.yaml", []byte(src))
		if err != nil {
			return
		}
		docs, ok := in.Value.([]any)
		if !ok {
			docs = []any{in.Value}
		}
		// A checker per input: the CRDs an input declares stay with it.
		fc, err := New()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fc.AddCRD(crdDoc); err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			_, _ = fc.AddCRD(d)
			if _, problems := fc.Check(d); len(problems) > MaxProblems {
				t.Fatalf("%d problems", len(problems))
			}
		}
	})
}

// TestOracleCorpus: k8s/schema's verdict on each manifest of the oracle
// corpus is the one its directory names (accept: no problem; refuse: at
// least one; refuse-semantic: none, the server's value validation is not
// claimed). test/e2e's TestSchemaOracle checks the same names against a
// real API server.
func TestOracleCorpus(t *testing.T) {
	a, c := oracle(t)
	n := 0
	for _, f := range a.Files {
		verdict, _, _ := strings.Cut(f.Name, "/")
		if verdict == "crd" {
			continue
		}
		n++
		_, problems := c.Check(parse(t, string(f.Data)))
		switch {
		case verdict == "refuse" && len(problems) == 0:
			t.Errorf("%s: the API server refuses it, k8s/schema finds nothing", f.Name)
		case verdict != "refuse" && len(problems) > 0:
			t.Errorf("%s: the API server does not refuse it for its schema, k8s/schema says %v", f.Name, problems)
		}
	}
	if n < 50 {
		t.Errorf("only %d manifests", n)
	}
}

// oracle reads the oracle corpus and a Checker that knows its CRD.
func oracle(t *testing.T) (*txtar.Archive, *Checker) {
	t.Helper()
	a, err := txtar.ParseFile("testdata/oracle.txtar")
	if err != nil {
		t.Fatal(err)
	}
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range a.Files {
		if strings.HasPrefix(f.Name, "crd/") {
			if ok, err := c.AddCRD(parse(t, string(f.Data))); !ok || err != nil {
				t.Fatalf("%s: %v %v", f.Name, ok, err)
			}
		}
	}
	return a, c
}

// TestSOPS: a SOPS-encrypted manifest is checked as Flux applies it
// (decrypted, without the sops key): its sops metadata is no unknown
// field, and an ENC[...] value stands for any scalar; a sops key that is
// not SOPS's metadata, and a plain mistake beside it, still are.
func TestSOPS(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	const meta = "sops:\n  age:\n    - recipient: age1example\n      enc: x\n  lastmodified: \"2026-01-01T00:00:00Z\"\n  mac: ENC[AES256_GCM,data:abc,type:str]\n  version: 3.9.0\n"
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"secret", "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ntype: Opaque\nstringData:\n  password: ENC[AES256_GCM,data:Zm9v,type:str]\n" + meta, nil},
		{"encrypted int", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  replicas: ENC[AES256_GCM,data:Mg==,type:int]\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: x}]}\n" + meta, nil},
		{"mistake beside", "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringdata:\n  password: ENC[AES256_GCM,data:Zm9v,type:str]\n" + meta,
			[]string{`[stringdata]: unknown field "stringdata"`}},
		{"not sops metadata", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nsops: {enabled: true}\n", []string{`[sops]: unknown field "sops"`}},
		{"ENC outside sops", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  n: ENC[x]\nbinaryData: ENC[y]\n", []string{`[binaryData]: binaryData: want an object, got "ENC[y]"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := c.Check(parse(t, tt.doc))
			var got []string
			for _, p := range problems {
				got = append(got, fmt.Sprintf("%v: %s", p.Path, p.Msg))
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestNewerVersion: a built-in kind at a version newer than the schema's
// release serves is a newer Kubernetes (not checked, not an error); a
// version older than the served ones was removed (an error).
func TestNewerVersion(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		doc  string
		want Outcome
		errs int
	}{
		{"apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingAdmissionPolicy\nmetadata: {name: a}\n", Newer, 0},
		{"apiVersion: admissionregistration.k8s.io/v1beta1\nkind: MutatingAdmissionPolicy\nmetadata: {name: a}\nspec: {}\n", Checked, 0},
		{"apiVersion: apps/v2\nkind: Deployment\nmetadata: {name: a}\n", Newer, 0},
		{"apiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: a}\n", Checked, 1},
		{"apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: a}\n", Checked, 1},
		{"apiVersion: v2\nkind: Pod\nmetadata: {name: a}\n", Newer, 0},
		{"apiVersion: apps/v9\nkind: Deploymnt\nmetadata: {name: a}\n", Checked, 1},
		// No group, not v1, a kind the core group never had: a tool's own
		// file (onedr0p/cluster-template's talhelper TalosCluster).
		{"apiVersion: v1alpha1\nkind: TalosCluster\nmetadata: {name: a}\n", Unchecked, 0},
		{"apiVersion: v1\nkind: ConfigMapp\nmetadata: {name: a}\n", Checked, 1},
		{"apiVersion: v1beta1\nkind: Pod\nmetadata: {name: a}\n", Checked, 1},
	}
	for _, tt := range tests {
		got, problems := c.Check(parse(t, tt.doc))
		if got != tt.want || len(problems) != tt.errs {
			t.Errorf("%s: outcome %d with %v, want %d with %d problems", tt.doc, got, problems, tt.want, tt.errs)
		}
	}
	for _, v := range []string{"v1alpha1", "v1beta1", "v1beta2", "v1", "v2alpha1", "v2beta1", "v2"} {
		if _, ok := versionRank(v); !ok {
			t.Errorf("versionRank(%s) not ok", v)
		}
	}
	a, _ := versionRank("v1beta2")
	b, _ := versionRank("v1")
	c2, _ := versionRank("v2alpha1")
	if !(a < b && b < c2) {
		t.Errorf("order: v1beta2 %d, v1 %d, v2alpha1 %d", a, b, c2)
	}
}

package triggers

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/google/go-cmp/cmp"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	triggersv1 "github.com/tektoncd/triggers/pkg/apis/triggers/v1beta1"
	"github.com/tektoncd/triggers/pkg/interceptors"
	"github.com/tektoncd/triggers/pkg/interceptors/cel"
	"github.com/tektoncd/triggers/pkg/interceptors/github"
	"github.com/tektoncd/triggers/pkg/template"
	"gopkg.in/yaml.v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"knative.dev/pkg/apis"

	"github.com/plumbline/plumbline/pkg/forge"
	"github.com/plumbline/plumbline/pkg/intercept"
)

const webhookSecret = "it's a secret to everybody"

// secrets stands in for the Kubernetes Secret store the interceptors read
// the webhook secret from; the interceptors themselves are the real ones.
type secrets map[string][]byte

func (s secrets) Get(_ context.Context, _ string, ref *triggersv1.SecretRef) ([]byte, error) {
	v, ok := s[ref.SecretName+"/"+ref.SecretKey]
	if !ok {
		return nil, fmt.Errorf("no secret %s/%s", ref.SecretName, ref.SecretKey)
	}
	return v, nil
}

var _ interceptors.SecretGetter = secrets(nil)

// shipped loads every object of a kind from the YAML files in triggers/.
func shipped[T any](t *testing.T, kind string) map[string]*T {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "triggers", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	gitea, _ := filepath.Glob(filepath.Join("..", "..", "triggers", "gitea", "*.yaml"))
	files = append(files, gitea...)
	out := map[string]*T{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var doc map[string]any
			if err := dec.Decode(&doc); err != nil {
				break
			}
			if doc["kind"] != kind {
				continue
			}
			j, _ := json.Marshal(doc)
			obj := new(T)
			if err := json.Unmarshal(j, obj); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			name := doc["metadata"].(map[string]any)["name"].(string)
			out[name] = obj
		}
	}
	return out
}

func sign(body []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

type event struct {
	file     string
	mutate   func(map[string]any)
	signWith string
	header   string // X-GitHub-Event
	// gitea: file is a delivery recorded from a real Gitea (testdata/gitea,
	// signed with giteaSecret), sent with its recorded headers. A changed
	// body is signed again with signWith (none if empty), unless
	// keepSignature: a tampered body under the original signature.
	gitea         bool
	keepSignature bool
	headers       func(http.Header)
}

// giteaSecret is the webhook secret the Gitea deliveries were recorded with.
const giteaSecret = "it-s-a-secret"

// forgeSecrets is the Secret mounted into the forge interceptor.
type forgeSecrets map[string][]byte

func (f forgeSecrets) Secret(key string) ([]byte, error) {
	if v, ok := f[key]; ok {
		return v, nil
	}
	return nil, fs.ErrNotExist
}

// rendered is the run a trigger creates: a TaskRun (plumbline-validate,
// the default) or a PipelineRun (infra-validation), decoded strictly and
// validated with Tekton's own code.
type rendered struct {
	kind, ref   string
	params      pipelinev1.Params
	annotations map[string]string
	json        []byte
	// secrets maps each workspace bound to a Secret to the Secret's name.
	secrets map[string]string
}

func secretsOf(ws []pipelinev1.WorkspaceBinding) map[string]string {
	m := map[string]string{}
	for _, w := range ws {
		if w.Secret != nil {
			m[w.Name] = w.Secret.SecretName
		}
	}
	return m
}

// deliver runs one webhook through a trigger's interceptors like the
// EventListener sink does; it returns whether the trigger fires and the
// run it creates.
func deliver(t *testing.T, trig triggersv1.Trigger, ev event) (bool, *rendered, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", ev.file))
	if err != nil {
		t.Fatal(err)
	}
	if ev.mutate != nil {
		var m map[string]any
		json.Unmarshal(raw, &m)
		ev.mutate(m)
		raw, _ = json.Marshal(m)
	}
	header := http.Header{"Content-Type": {"application/json"}, "X-Github-Event": {ev.header}}
	if ev.gitea {
		header = giteaHeaders(t, ev.file)
		if ev.mutate != nil && !ev.keepSignature {
			for _, h := range forge.SignatureHeaders {
				header.Del(h)
			}
			if ev.signWith != "" {
				header.Set("X-Gitea-Signature", forge.Sign([]byte(ev.signWith), raw))
			}
		}
	} else if ev.signWith != "" {
		header.Set("X-Hub-Signature-256", sign(raw, ev.signWith))
	}
	if ev.headers != nil {
		ev.headers(header)
	}
	sg := secrets{"github-webhook/secret": []byte(webhookSecret)}
	body := string(raw)
	extensions := map[string]any{}
	for _, ic := range trig.Spec.Interceptors {
		req := &triggersv1.InterceptorRequest{
			Body:              body,
			Header:            header,
			Extensions:        extensions,
			InterceptorParams: interceptors.GetInterceptorParams(ic),
			Context:           &triggersv1.TriggerContext{EventURL: "http://el", EventID: "1", TriggerID: "namespaces/plumbline/triggers/" + trig.Name},
		}
		var resp *triggersv1.InterceptorResponse
		switch ic.Ref.Name {
		case "github":
			resp = github.NewInterceptor(sg).Process(context.Background(), req)
		case "cel":
			resp = cel.NewInterceptor(sg).Process(context.Background(), req)
		case "plumbline-forge":
			resp = forgeProcess(t, req)
		default:
			t.Fatalf("interceptor %s has no test", ic.Ref.Name)
		}
		if !resp.Continue {
			msg := ""
			if resp.Status.Message != "" {
				msg = resp.Status.Message
			}
			return false, nil, msg
		}
		for k, v := range resp.Extensions {
			extensions[k] = v
		}
	}
	bindings := shipped[triggersv1.TriggerBinding](t, "TriggerBinding")
	templates := shipped[triggersv1.TriggerTemplate](t, "TriggerTemplate")
	rt, err := template.ResolveTrigger(trig,
		func(name string) (*triggersv1.TriggerBinding, error) {
			if b, ok := bindings[name]; ok {
				return b, nil
			}
			return nil, fmt.Errorf("no binding %s", name)
		},
		func(name string) (*triggersv1.ClusterTriggerBinding, error) {
			return nil, fmt.Errorf("no cluster binding %s", name)
		},
		func(name string) (*triggersv1.TriggerTemplate, error) {
			if tt, ok := templates[name]; ok {
				return tt, nil
			}
			return nil, fmt.Errorf("no template %s", name)
		})
	if err != nil {
		t.Fatal(err)
	}
	params, err := template.ResolveParams(rt, raw, header, extensions, template.NewTriggerContext("1"))
	if err != nil {
		t.Fatal(err)
	}
	resources := template.ResolveResources(rt.TriggerTemplate, params)
	if len(resources) != 1 {
		t.Fatalf("template made %d resources", len(resources))
	}
	var head struct{ Kind string }
	json.Unmarshal(resources[0], &head)
	dec := json.NewDecoder(bytes.NewReader(resources[0]))
	dec.DisallowUnknownFields()
	ctx := apis.WithinCreate(context.Background())
	r := &rendered{kind: head.Kind, json: resources[0]}
	switch head.Kind {
	case "TaskRun":
		var tr pipelinev1.TaskRun
		if err := dec.Decode(&tr); err != nil {
			t.Fatalf("rendered TaskRun: %v\n%s", err, resources[0])
		}
		tr.Name = tr.GenerateName + "x0000" // as the API server names it
		tr.SetDefaults(ctx)
		if err := tr.Validate(ctx); err != nil {
			t.Fatalf("rendered TaskRun does not validate: %v", err)
		}
		r.ref, r.params, r.annotations, r.secrets = tr.Spec.TaskRef.Name, tr.Spec.Params, tr.Annotations, secretsOf(tr.Spec.Workspaces)
	case "PipelineRun":
		var pr pipelinev1.PipelineRun
		if err := dec.Decode(&pr); err != nil {
			t.Fatalf("rendered PipelineRun: %v\n%s", err, resources[0])
		}
		pr.Name = pr.GenerateName + "x0000"
		pr.SetDefaults(ctx)
		if err := pr.Validate(ctx); err != nil {
			t.Fatalf("rendered PipelineRun does not validate: %v", err)
		}
		r.ref, r.params, r.annotations, r.secrets = pr.Spec.PipelineRef.Name, pr.Spec.Params, pr.Annotations, secretsOf(pr.Spec.Workspaces)
	default:
		t.Fatalf("the template made a %q:\n%s", head.Kind, resources[0])
	}
	return true, r, ""
}

// trigger is the Trigger named name as an EventListener runs it: the
// interceptors of the trigger group whose selector picks it, then its own
// (the sink runs the two chains one after the other, extensions carried).
func trigger(t *testing.T, name string) triggersv1.Trigger {
	t.Helper()
	return triggerIn(t, shipped[triggersv1.EventListener](t, "EventListener"), name)
}

func triggerIn(t *testing.T, listeners map[string]*triggersv1.EventListener, name string) triggersv1.Trigger {
	t.Helper()
	tr, ok := shipped[triggersv1.Trigger](t, "Trigger")[name]
	if !ok {
		t.Fatalf("no trigger %s", name)
	}
	var groups []string
	for elName, el := range listeners {
		for _, g := range el.Spec.TriggerGroups {
			sel, err := metav1.LabelSelectorAsSelector(g.TriggerSelector.LabelSelector)
			if err != nil {
				t.Fatalf("%s: group %s: %v", elName, g.Name, err)
			}
			if g.TriggerSelector.LabelSelector != nil && sel.Matches(labels.Set(tr.Labels)) {
				groups = append(groups, elName+"/"+g.Name)
				tr.Spec.Interceptors = append(slices.Clone(g.Interceptors), tr.Spec.Interceptors...)
			}
		}
	}
	if len(groups) != 1 {
		t.Fatalf("trigger %s is in the groups %v, want one", name, groups)
	}
	return *tr
}

// wantParams checks the rendered run's params named in want.
func wantParams(t *testing.T, r *rendered, want map[string]string) {
	t.Helper()
	for name, v := range want {
		if got := param(r, name); got != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
}

func param(r *rendered, name string) string {
	for _, p := range r.params {
		if p.Name == name {
			return p.Value.StringVal
		}
	}
	return ""
}

func TestPush(t *testing.T) {
	push := trigger(t, "plumbline-github-push")
	fired, pr, _ := deliver(t, push, event{file: "push.json", header: "push", signWith: webhookSecret})
	if !fired {
		t.Fatal("a signed push to main did not start a run")
	}
	if got := param(pr, "revision"); got != "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c" {
		t.Errorf("revision = %q", got)
	}
	if got := param(pr, "repo-url"); got != "https://github.com/homelab/infra.git" {
		t.Errorf("repo-url = %q", got)
	}
	if got := param(pr, "github-ref"); got != "refs/heads/main" {
		t.Errorf("github-ref = %q, want the pushed ref (code scanning files the SARIF under it)", got)
	}
	// The shipped trigger starts the one-pod validation, which succeeds
	// when it delivered a verdict (on-error continue).
	if pr.kind != "TaskRun" || pr.ref != "plumbline-validate" || param(pr, "on-error") != "continue" ||
		pr.annotations["plumbline.dev/repository"] != "homelab/infra" {
		t.Errorf("%s of %q, on-error %q, annotations %v", pr.kind, pr.ref, param(pr, "on-error"), pr.annotations)
	}
	// Pointed at the other template, the same push starts infra-validation.
	pipeline := push
	pipeline.Spec.Template = triggersv1.TriggerSpecTemplate{Ref: ptr("plumbline-infra-validation")}
	if fired, r, why := deliver(t, pipeline, event{file: "push.json", header: "push", signWith: webhookSecret}); !fired ||
		r.kind != "PipelineRun" || r.ref != "plumbline-infra-validation" || param(r, "revision") != "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c" {
		t.Errorf("the infra-validation template: fired %v (%s), %+v", fired, why, r)
	}

	for _, tt := range []struct {
		name string
		ev   event
		why  string
	}{
		{"wrong signature", event{file: "push.json", header: "push", signWith: "not the secret"}, "signature"},
		{"no signature", event{file: "push.json", header: "push"}, "no X-Hub-Signature-256 header set"},
		{"event not allowed", event{file: "push.json", header: "issues", signWith: webhookSecret}, "event type issues is not allowed"},
		{"other branch", event{file: "push.json", header: "push", signWith: webhookSecret, mutate: func(m map[string]any) { m["ref"] = "refs/heads/feature" }}, "expression"},
		{"branch deleted", event{file: "push.json", header: "push", signWith: webhookSecret, mutate: func(m map[string]any) { m["deleted"] = true }}, "expression"},
		{"docs only", event{file: "push.json", header: "push", signWith: webhookSecret, mutate: func(m map[string]any) {
			m["commits"].([]any)[0].(map[string]any)["modified"] = []any{"docs/network.md", "README.md"}
		}}, "expression"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fired, _, why := deliver(t, push, tt.ev)
			if fired {
				t.Fatal("started a run")
			}
			if !strings.Contains(why, tt.why) {
				t.Errorf("rejected for %q, want %q", why, tt.why)
			}
		})
	}
}

func TestPullRequest(t *testing.T) {
	prTrigger := trigger(t, "plumbline-github-pull-request")
	for _, action := range []string{"opened", "synchronize", "reopened"} {
		fired, pr, why := deliver(t, prTrigger, event{file: "pull_request.json", header: "pull_request", signWith: webhookSecret,
			mutate: func(m map[string]any) { m["action"] = action }})
		if !fired {
			t.Fatalf("%s: rejected: %s", action, why)
		}
		if got := param(pr, "revision"); got != "9c8e7f1a2b3c4d5e6f708192a3b4c5d6e7f80912" {
			t.Errorf("revision = %q", got)
		}
		if got := param(pr, "repo-url"); got != "https://github.com/contributor/infra.git" {
			t.Errorf("repo-url = %q (the head repository)", got)
		}
		if param(pr, "repo") != "homelab/infra" || param(pr, "pr") != "42" || param(pr, "github-ref") != "" {
			t.Errorf("repo %q, pr %q", param(pr, "repo"), param(pr, "pr"))
		}
		if pr.annotations["plumbline.dev/pull-request"] != "42" {
			t.Errorf("annotations %v", pr.annotations)
		}
		// The hostile branch name is carried as a value, and only there;
		// Triggers also escapes "$(" to "$$(" so Tekton never expands it.
		if got := pr.annotations["plumbline.dev/ref"]; got != "$$(touch pwned)`id`" {
			t.Errorf("branch annotation = %q", got)
		}
		if n := strings.Count(string(pr.json), "touch pwned"); n != 1 {
			t.Errorf("the branch name appears %d times in the run, want once (the annotation):\n%s", n, pr.json)
		}
	}
	for _, mutate := range []func(map[string]any){
		func(m map[string]any) { m["action"] = "closed" },
		func(m map[string]any) { m["pull_request"].(map[string]any)["base"].(map[string]any)["ref"] = "release" },
	} {
		if fired, _, _ := deliver(t, prTrigger, event{file: "pull_request.json", header: "pull_request", signWith: webhookSecret, mutate: mutate}); fired {
			t.Error("started a run for a closed pull request or another base branch")
		}
	}

	// A pull request runs the code its repository names: from a fork, only
	// a trusted author's starts a run (GitHub's author_association); from
	// a branch of the repository itself, anyone's (they could push it).
	author := func(association, headRepo string) func(map[string]any) {
		return func(m map[string]any) {
			pr := m["pull_request"].(map[string]any)
			pr["author_association"] = association
			pr["head"].(map[string]any)["repo"].(map[string]any)["full_name"] = headRepo
		}
	}
	for _, tc := range []struct {
		association, headRepo string
		fires                 bool
	}{
		{"OWNER", "contributor/infra", true},
		{"MEMBER", "contributor/infra", true},
		{"COLLABORATOR", "contributor/infra", true},
		{"CONTRIBUTOR", "contributor/infra", false},
		{"FIRST_TIME_CONTRIBUTOR", "contributor/infra", false},
		{"FIRST_TIMER", "contributor/infra", false},
		{"NONE", "contributor/infra", false},
		{"", "contributor/infra", false},
		{"NONE", "homelab/infra", true}, // a branch of the repository: its author could push it
	} {
		fired, _, why := deliver(t, prTrigger, event{file: "pull_request.json", header: "pull_request", signWith: webhookSecret,
			mutate: author(tc.association, tc.headRepo)})
		if fired != tc.fires {
			t.Errorf("%s from %s: fired %v, want %v (%s)", tc.association, tc.headRepo, fired, tc.fires, why)
		}
		if !tc.fires && !strings.Contains(why, "expression") {
			t.Errorf("%s from %s: refused for %q, want the CEL filter", tc.association, tc.headRepo, why)
		}
	}
	// A fork deleted since: GitHub sends no head repository; nothing runs.
	if fired, _, _ := deliver(t, prTrigger, event{file: "pull_request.json", header: "pull_request", signWith: webhookSecret,
		mutate: func(m map[string]any) {
			pr := m["pull_request"].(map[string]any)
			pr["author_association"] = "NONE"
			pr["head"].(map[string]any)["repo"] = nil
		}}); fired {
		t.Error("a pull request without a head repository started a run")
	}
}

func ptr[T any](v T) *T { return &v }

// listener delivers one event to every Trigger of the EventListener, as
// the sink does, and returns the names of those that start a run.
func listener(t *testing.T, ev event) map[string]*rendered {
	t.Helper()
	fired := map[string]*rendered{}
	for name := range shipped[triggersv1.Trigger](t, "Trigger") {
		if ok, r, _ := deliver(t, trigger(t, name), ev); ok {
			fired[name] = r
		}
	}
	return fired
}

func names(m map[string]*rendered) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Each event starts exactly the run it is for, whatever trigger it
// reaches.
func TestListener(t *testing.T) {
	for _, tt := range []struct {
		ev   event
		want []string
	}{
		{event{file: "push.json", header: "push", signWith: webhookSecret}, []string{"plumbline-github-push"}},
		{event{file: "pull_request.json", header: "pull_request", signWith: webhookSecret}, []string{"plumbline-github-pull-request"}},
		{event{file: "issue_comment.json", header: "issue_comment", signWith: webhookSecret}, []string{"plumbline-github-ok-to-test"}},
		// The event type header decides, not the body's shape.
		{event{file: "pull_request.json", header: "push", signWith: webhookSecret}, nil},
		{event{file: "issue_comment.json", header: "pull_request", signWith: webhookSecret}, nil},
		{event{file: "issue_comment.json", header: "issue_comment", signWith: "not the secret"}, nil},
		{event{file: "issue_comment.json", header: "issue_comment"}, nil},
	} {
		if got := names(listener(t, tt.ev)); !slices.Equal(got, tt.want) {
			t.Errorf("%s as %s: fired %v, want %v", tt.ev.file, tt.ev.header, got, tt.want)
		}
	}
}

// A trusted person's "/ok-to-test" on a pull request runs its head, fetched
// from the base repository; anyone else's comment, or one on an issue,
// starts nothing.
func TestOkToTest(t *testing.T) {
	okToTest := trigger(t, "plumbline-github-ok-to-test")
	fired, r, why := deliver(t, okToTest, event{file: "issue_comment.json", header: "issue_comment", signWith: webhookSecret})
	if !fired {
		t.Fatalf("an owner's /ok-to-test was refused: %s", why)
	}
	wantParams(t, r, map[string]string{
		"revision": "refs/pull/42/head",
		"repo-url": "https://github.com/homelab/infra.git",
		"repo":     "homelab/infra",
		"pr":       "42",
	})
	if r.kind != "TaskRun" || r.ref != "plumbline-validate" {
		t.Errorf("%s of %s", r.kind, r.ref)
	}
	comment := func(association, login, body string) func(map[string]any) {
		return func(m map[string]any) {
			c := m["comment"].(map[string]any)
			c["author_association"], c["body"] = association, body
			c["user"].(map[string]any)["login"] = login
		}
	}
	for _, tc := range []struct {
		name   string
		mutate func(map[string]any)
		fires  bool
	}{
		{"member", comment("MEMBER", "m", "/ok-to-test"), true},
		{"collaborator", comment("COLLABORATOR", "c", " /ok-to-test "), true},
		{"the author themself", comment("CONTRIBUTOR", "contributor", "/ok-to-test"), false},
		{"a stranger", comment("NONE", "stranger", "/ok-to-test"), false},
		{"not the command", comment("OWNER", "maintainer", "not /ok-to-test yet"), false},
		{"quoted", comment("OWNER", "maintainer", "> /ok-to-test\nno"), false},
		{"edited", func(m map[string]any) { m["action"] = "edited" }, false},
		{"on an issue", func(m map[string]any) { delete(m["issue"].(map[string]any), "pull_request") }, false},
		{"closed", func(m map[string]any) { m["issue"].(map[string]any)["state"] = "closed" }, false},
	} {
		fired, _, why := deliver(t, okToTest, event{file: "issue_comment.json", header: "issue_comment", signWith: webhookSecret, mutate: tc.mutate})
		if fired != tc.fires {
			t.Errorf("%s: fired %v, want %v (%s)", tc.name, fired, tc.fires, why)
		}
	}
}

// The branches and the trusted logins are set once, in the trigger group,
// and every Trigger reads them from there.
func TestSettingsInOnePlace(t *testing.T) {
	els := withSettings(t, "plumbline-github", "['main', 'release']", "['contributor']")

	release := func(m map[string]any) { m["ref"] = "refs/heads/release" }
	prRelease := func(m map[string]any) {
		pr := m["pull_request"].(map[string]any)
		pr["base"].(map[string]any)["ref"] = "release"
		pr["author_association"] = "NONE" // from the fork, by contributor: an owner now
	}
	byContributor := func(m map[string]any) {
		c := m["comment"].(map[string]any)
		c["author_association"] = "NONE"
		c["user"].(map[string]any)["login"] = "contributor"
	}
	for _, tc := range []struct {
		trigger string
		ev      event
	}{
		{"plumbline-github-push", event{file: "push.json", header: "push", signWith: webhookSecret, mutate: release}},
		{"plumbline-github-pull-request", event{file: "pull_request.json", header: "pull_request", signWith: webhookSecret, mutate: prRelease}},
		{"plumbline-github-ok-to-test", event{file: "issue_comment.json", header: "issue_comment", signWith: webhookSecret, mutate: byContributor}},
	} {
		if fired, _, why := deliver(t, trigger(t, tc.trigger), tc.ev); fired {
			t.Errorf("%s: fired with the shipped settings", tc.trigger)
		} else if !strings.Contains(why, "expression") {
			t.Errorf("%s: refused for %q, want the CEL filter", tc.trigger, why)
		}
		if fired, _, why := deliver(t, triggerIn(t, els, tc.trigger), tc.ev); !fired {
			t.Errorf("%s: refused with branches [main, release] and owners [contributor]: %s", tc.trigger, why)
		}
	}
}

// giteaHeaders are the headers a recorded Gitea delivery came with.
func giteaHeaders(t *testing.T, file string) http.Header {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", strings.TrimSuffix(file, ".json")+".headers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	for k, v := range m {
		h.Set(k, v)
	}
	return h
}

// forgeProcess runs Plumbline's own interceptor on a request in Triggers'
// types: it goes over the wire as JSON, as the EventListener sends it, and
// comes back into Triggers' InterceptorResponse.
func forgeProcess(t *testing.T, req *triggersv1.InterceptorRequest) *triggersv1.InterceptorResponse {
	t.Helper()
	wire, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	var ours intercept.Request
	dec := json.NewDecoder(bytes.NewReader(wire))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ours); err != nil {
		t.Fatalf("Triggers' request does not decode into intercept.Request: %v\n%s", err, wire)
	}
	f := &intercept.Forge{Secrets: forgeSecrets{"secret": []byte(giteaSecret)}}
	back, _ := json.Marshal(f.Process(context.Background(), &ours))
	var resp triggersv1.InterceptorResponse
	dec = json.NewDecoder(bytes.NewReader(back))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&resp); err != nil {
		t.Fatalf("intercept.Response does not decode into Triggers' InterceptorResponse: %v\n%s", err, back)
	}
	return &resp
}

// withSettings is the shipped EventListeners with the settings of
// listener's trigger group (its CEL overlays) set to branches and owners.
// TestCredentials: pushes and trusted pull requests bind the repository's
// git and DNS Secrets and fetch charts; a run after /ok-to-test binds a Secret that exists
// nowhere (an empty volume), unless the trigger group's one setting,
// approved_credentials, says otherwise. Every run binds notify.
func TestCredentials(t *testing.T) {
	trusted := map[string]string{"git-credentials": "plumbline-git", "dns-credentials": "plumbline-dns", "notify-credentials": "plumbline-notify",
		"terraform-credentials": "plumbline-terraform", "fetch-charts": "true", "terraform-plan": "true"}
	withheld := map[string]string{"git-credentials": "plumbline-withheld", "dns-credentials": "plumbline-withheld", "notify-credentials": "plumbline-notify",
		"terraform-credentials": "plumbline-withheld", "fetch-charts": "false", "terraform-plan": "false"}
	approve := func(listener string) map[string]*triggersv1.EventListener {
		els := shipped[triggersv1.EventListener](t, "EventListener")
		settings := els[listener].Spec.TriggerGroups[0].Interceptors[1]
		for i := range settings.Params {
			b, _ := json.Marshal(settings.Params[i].Value)
			b = bytes.Replace(b, []byte(`{"expression":"false","key":"approved_credentials"}`), []byte(`{"expression":"true","key":"approved_credentials"}`), 1)
			json.Unmarshal(b, &settings.Params[i].Value)
		}
		return els
	}
	shippedEls := shipped[triggersv1.EventListener](t, "EventListener")
	for _, tc := range []struct {
		trigger string
		els     map[string]*triggersv1.EventListener
		ev      event
		want    map[string]string
	}{
		{"plumbline-github-push", shippedEls, event{file: "push.json", header: "push", signWith: webhookSecret}, trusted},
		{"plumbline-github-pull-request", shippedEls, event{file: "pull_request.json", header: "pull_request", signWith: webhookSecret}, trusted},
		{"plumbline-github-ok-to-test", shippedEls, event{file: "issue_comment.json", header: "issue_comment", signWith: webhookSecret}, withheld},
		{"plumbline-github-ok-to-test", approve("plumbline-github"), event{file: "issue_comment.json", header: "issue_comment", signWith: webhookSecret}, trusted},
		{"plumbline-gitea-push", shippedEls, gitea("push.json"), trusted},
		{"plumbline-gitea-ok-to-test", shippedEls, gitea("pull_request_comment.json"), withheld},
		{"plumbline-gitea-ok-to-test", approve("plumbline-gitea"), gitea("pull_request_comment.json"), trusted},
		// A payload without the author's association is not trusted for it.
		{"plumbline-github-ok-to-test", shippedEls, event{file: "issue_comment.json", header: "issue_comment", signWith: webhookSecret,
			mutate: func(m map[string]any) { delete(m["issue"].(map[string]any), "author_association") }}, withheld},
		// A re-run of a trusted author's pull request is a trusted run.
		{"plumbline-github-ok-to-test", shippedEls, event{file: "issue_comment.json", header: "issue_comment", signWith: webhookSecret,
			mutate: func(m map[string]any) { m["issue"].(map[string]any)["author_association"] = "MEMBER" }}, trusted},
	} {
		fired, r, why := deliver(t, triggerIn(t, tc.els, tc.trigger), tc.ev)
		if !fired {
			t.Errorf("%s did not fire: %s", tc.trigger, why)
			continue
		}
		got := maps.Clone(r.secrets)
		// Charts are fetched (from the base branch's allowlist) and
		// Terraform planned by trusted runs only, as the Secrets are bound.
		for _, p := range r.params {
			if p.Name == "fetch-charts" || p.Name == "terraform-plan" {
				got[p.Name] = p.Value.StringVal
			}
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: Secrets and fetch-charts (-want +got):\n%s", tc.trigger, diff)
		}
	}
}

func withSettings(t *testing.T, listener, branches, owners string) map[string]*triggersv1.EventListener {
	t.Helper()
	els := shipped[triggersv1.EventListener](t, "EventListener")
	el := els[listener]
	if el == nil || len(el.Spec.TriggerGroups) != 1 || len(el.Spec.TriggerGroups[0].Interceptors) != 2 {
		t.Fatalf("%s: want one trigger group, its settings the second interceptor", listener)
	}
	settings := el.Spec.TriggerGroups[0].Interceptors[1]
	found := map[string]bool{}
	for i := range settings.Params {
		p := &settings.Params[i]
		if p.Name != "overlays" {
			continue
		}
		var overlays []map[string]string
		b, _ := json.Marshal(p.Value)
		json.Unmarshal(b, &overlays)
		for _, o := range overlays {
			switch o["key"] {
			case "branches":
				o["expression"], found["branches"] = branches, true
			case "owners":
				o["expression"], found["owners"] = owners, true
			}
		}
		v, _ := json.Marshal(overlays)
		json.Unmarshal(v, &p.Value)
	}
	if !found["branches"] || !found["owners"] {
		t.Fatalf("%s: the settings overlays are not there: %v", listener, found)
	}
	return els
}

package triggers

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	triggersv1alpha1 "github.com/tektoncd/triggers/pkg/apis/triggers/v1alpha1"
	triggersv1 "github.com/tektoncd/triggers/pkg/apis/triggers/v1beta1"
	"sigs.k8s.io/yaml"
)

// The deliveries in testdata/gitea were recorded from a real Gitea 1.26 on
// loopback (the one make tools builds): a push of terraform/ and docs/ to
// main by the repository's owner, a pull request from a fork by a
// stranger, the stranger's next push to it, and the owner's comment
// "/ok-to-test" on it; each with the headers and signature Gitea sent.

func gitea(file string) event {
	return event{file: "gitea/" + file, gitea: true, signWith: giteaSecret}
}

func TestGiteaPush(t *testing.T) {
	fired := listener(t, gitea("push.json"))
	if got := names(fired); !slices.Equal(got, []string{"plumbline-gitea-push"}) {
		t.Fatalf("a signed Gitea push fired %v", got)
	}
	r := fired["plumbline-gitea-push"]
	wantParams(t, r, map[string]string{
		"revision":  "56aed3d1bd4e9c396d23bf41c22ca96f4677b7fd",
		"repo-url":  "http://127.0.0.1:13000/owner/infra.git",
		"repo":      "owner/infra",
		"pr":        "",
		"gitea-url": "https://git.home.arpa",
		"on-error":  "continue",
	})

	push := trigger(t, "plumbline-gitea-push")
	docsOnly := func(m map[string]any) {
		m["commits"].([]any)[0].(map[string]any)["added"] = []any{"docs/n.md", "README.md"}
	}
	for _, tt := range []struct {
		name string
		ev   event
		why  string
	}{
		{"tampered body", event{file: "gitea/push.json", gitea: true, keepSignature: true,
			mutate: func(m map[string]any) { m["after"] = strings.Repeat("e", 40) }}, "X-Gitea-Signature does not match"},
		{"no signature", event{file: "gitea/push.json", gitea: true, mutate: func(map[string]any) {}}, "no X-Forgejo-Signature or X-Gitea-Signature header set"},
		{"wrong secret", event{file: "gitea/push.json", gitea: true, signWith: "guess", mutate: func(map[string]any) {}}, "does not match"},
		{"GitHub's signature only", event{file: "gitea/push.json", gitea: true, headers: func(h http.Header) {
			h.Del("X-Gitea-Signature")
			h.Del("X-Gogs-Signature")
		}}, "no X-Forgejo-Signature"},
		{"another event", event{file: "gitea/push.json", gitea: true, headers: func(h http.Header) {
			h.Set("X-Gitea-Event", "release")
			h.Set("X-Gogs-Event", "release")
		}}, "event type release is not allowed"},
		{"other branch", func() event {
			ev := gitea("push.json")
			ev.mutate = func(m map[string]any) { m["ref"] = "refs/heads/feature" }
			return ev
		}(), "expression"},
		{"docs only", func() event { ev := gitea("push.json"); ev.mutate = docsOnly; return ev }(), "expression"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fired, _, why := deliver(t, push, tt.ev)
			if fired || !strings.Contains(why, tt.why) {
				t.Errorf("fired %v (%q), want refused for %q", fired, why, tt.why)
			}
		})
	}
	// Docs only, but Gitea left commits out of the payload: the files are
	// not known, so it runs.
	ev := gitea("push.json")
	ev.mutate = func(m map[string]any) { docsOnly(m); m["total_commits"] = 40 }
	if fired, _, why := deliver(t, push, ev); !fired {
		t.Errorf("a push whose payload lists only some commits was filtered on its files: %s", why)
	}
	// Forgejo sends X-Forgejo-* next to X-Gitea-* (and X-Gogs-*), all with
	// the same signature: its services/webhook/shared/payloader.go. No
	// Forgejo server runs here: its code.forgejo.org modules are not served
	// by the module proxy, so these are Gitea's recorded deliveries with
	// Forgejo's headers added as its source adds them.
	forgejo := gitea("push.json")
	forgejo.headers = func(h http.Header) {
		h.Set("X-Forgejo-Event", h.Get("X-Gitea-Event"))
		h.Set("X-Forgejo-Signature", h.Get("X-Gitea-Signature"))
	}
	if fired, _, why := deliver(t, push, forgejo); !fired {
		t.Errorf("a Forgejo push was refused: %s", why)
	}
	forgejo.headers = func(h http.Header) {
		h.Set("X-Forgejo-Event", "push")
		h.Set("X-Forgejo-Signature", strings.Repeat("0", 64))
	}
	if fired, _, why := deliver(t, push, forgejo); fired || !strings.Contains(why, "X-Forgejo-Signature does not match") {
		t.Errorf("a forged X-Forgejo-Signature next to a good X-Gitea-Signature: fired %v (%s)", fired, why)
	}
}

// A stranger's pull request from a fork starts nothing, on opening or on a
// later push; the repository owner's /ok-to-test runs its head; a listed
// owner's pull request runs; one from a branch of the repository runs.
func TestGiteaPullRequest(t *testing.T) {
	for _, file := range []string{"pull_request.json", "pull_request_sync.json"} {
		if fired := listener(t, gitea(file)); len(fired) != 0 {
			t.Errorf("a stranger's pull request from a fork (%s) fired %v", file, names(fired))
		}
	}
	pr := trigger(t, "plumbline-gitea-pull-request")
	if _, _, why := deliver(t, pr, gitea("pull_request.json")); !strings.Contains(why, "expression") {
		t.Errorf("refused for %q, want the CEL filter", why)
	}
	trusted := triggerIn(t, withSettings(t, "plumbline-gitea", "['main']", "['stranger']"), "plumbline-gitea-pull-request")
	for _, file := range []string{"pull_request.json", "pull_request_sync.json"} {
		fired, r, why := deliver(t, trusted, gitea(file))
		if !fired {
			t.Fatalf("%s by a listed owner: refused: %s", file, why)
		}
		if param(r, "repo-url") != "http://127.0.0.1:13000/stranger/infra.git" || param(r, "pr") != "1" ||
			param(r, "repo") != "owner/infra" || len(param(r, "revision")) != 40 {
			t.Errorf("%s: params %v", file, r.params)
		}
	}
	sameRepo := gitea("pull_request.json")
	sameRepo.mutate = func(m map[string]any) {
		head := m["pull_request"].(map[string]any)["head"].(map[string]any)["repo"].(map[string]any)
		head["full_name"] = "owner/infra"
	}
	if fired, _, why := deliver(t, pr, sameRepo); !fired {
		t.Errorf("a pull request from a branch of the repository: refused: %s", why)
	}

	fired := listener(t, gitea("pull_request_comment.json"))
	if got := names(fired); !slices.Equal(got, []string{"plumbline-gitea-ok-to-test"}) {
		t.Fatalf("the owner's /ok-to-test fired %v", got)
	}
	r := fired["plumbline-gitea-ok-to-test"]
	if param(r, "revision") != "refs/pull/1/head" || param(r, "repo-url") != "http://127.0.0.1:13000/owner/infra.git" ||
		param(r, "pr") != "1" || param(r, "gitea-url") != "https://git.home.arpa" {
		t.Errorf("ok-to-test params %v", r.params)
	}
	okToTest := trigger(t, "plumbline-gitea-ok-to-test")
	for name, mutate := range map[string]func(map[string]any){
		"by the stranger": func(m map[string]any) { m["comment"].(map[string]any)["user"].(map[string]any)["login"] = "stranger" },
		"not the command": func(m map[string]any) { m["comment"].(map[string]any)["body"] = "will /ok-to-test later" },
		"on an issue":     func(m map[string]any) { m["is_pull"] = false },
		"closed":          func(m map[string]any) { m["issue"].(map[string]any)["state"] = "closed" },
	} {
		ev := gitea("pull_request_comment.json")
		ev.mutate = mutate
		if fired, _, _ := deliver(t, okToTest, ev); fired {
			t.Errorf("/ok-to-test %s started a run", name)
		}
	}
}

// hack/forge-interceptor-tls.sh makes the ClusterInterceptor the Gitea
// EventListener names: https, to the Service of forge-interceptor.yaml,
// with the caBundle and the label Triggers needs together.
func TestForgeClusterInterceptor(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.crt")
	os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), 0o600)
	out, err := exec.Command("../../hack/forge-interceptor-tls.sh", "--print", ca).Output()
	if err != nil {
		t.Fatalf("forge-interceptor-tls.sh --print: %v", err)
	}
	var ci triggersv1alpha1.ClusterInterceptor
	j, err := yaml.YAMLToJSONStrict(out)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ci); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if err := ci.Validate(context.Background()); err != nil {
		t.Fatalf("does not validate: %v", err)
	}
	u, err := ci.ResolveAddress()
	if err != nil || u.String() != "https://plumbline-forge-interceptor.plumbline.svc:8443" {
		t.Errorf("address %v, %v", u, err)
	}
	if ci.Labels["server/type"] != "https" || !bytes.Contains(ci.Spec.ClientConfig.CaBundle, []byte("BEGIN CERTIFICATE")) {
		t.Errorf("label %q, caBundle %q", ci.Labels["server/type"], ci.Spec.ClientConfig.CaBundle)
	}
	var uses int
	for _, el := range shipped[triggersv1.EventListener](t, "EventListener") {
		for _, g := range el.Spec.TriggerGroups {
			for _, ic := range g.Interceptors {
				if ic.Ref.Name == ci.Name {
					uses++
				}
			}
		}
	}
	if uses != 1 {
		t.Errorf("the EventListeners name %s %d times, want once (the gitea group)", ci.Name, uses)
	}
}

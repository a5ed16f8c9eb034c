package intercept

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/pkg/forge"
)

const secret = "it-s-a-secret"

// mounted is a Secret as the interceptor's volume holds it.
func mounted(t testing.TB, files map[string]string) Dir {
	dir := t.TempDir()
	for k, v := range files {
		if err := os.WriteFile(filepath.Join(dir, k), []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return Dir(dir)
}

const pushBody = `{"ref":"refs/heads/main","total_commits":1,"commits":[{"added":["terraform/main.tf"],"modified":["README.md"]}]}`

func request(body string, header map[string][]string, params map[string]any) *Request {
	return &Request{Body: body, Header: header, InterceptorParams: params,
		Context: &TriggerContext{EventID: "1", TriggerID: "namespaces/plumbline/triggers/gitea-push"}}
}

func signed(event, body string) map[string][]string {
	return map[string][]string{"X-Gitea-Event": {event}, "X-Gitea-Signature": {forge.Sign([]byte(secret), []byte(body))},
		"Content-Type": {"application/json"}}
}

func TestForge(t *testing.T) {
	f := &Forge{Secrets: mounted(t, map[string]string{"secret": secret, "other": "another secret"})}
	push := map[string]any{"eventTypes": []any{"push"}, "addChangedFiles": map[string]any{"enabled": true}}
	for _, tt := range []struct {
		name string
		req  *Request
		want *Response
	}{
		{"signed push", request(pushBody, signed("push", pushBody), push),
			Continue(map[string]any{"event_type": "push", "changed_files": "terraform/main.tf,README.md", "changed_files_complete": true})},
		{"lower-case header names", request(pushBody, map[string][]string{"x-gitea-event": {"push"}, "x-gitea-signature": {forge.Sign([]byte(secret), []byte(pushBody))}}, push),
			Continue(map[string]any{"event_type": "push", "changed_files": "terraform/main.tf,README.md", "changed_files_complete": true})},
		{"no changed files asked", request(pushBody, signed("push", pushBody), map[string]any{"eventTypes": []any{"push", "pull_request"}}),
			Continue(map[string]any{"event_type": "push"})},
		{"pull request: no changed files from the payload", request(`{}`, signed("pull_request", `{}`), map[string]any{"eventTypes": []any{"pull_request"}, "addChangedFiles": map[string]any{"enabled": true}}),
			Continue(map[string]any{"event_type": "pull_request"})},
		{"another secret key", request(pushBody, map[string][]string{"X-Gitea-Event": {"push"}, "X-Gitea-Signature": {forge.Sign([]byte("another secret"), []byte(pushBody))}},
			map[string]any{"eventTypes": []any{"push"}, "secretKey": "other"}), Continue(map[string]any{"event_type": "push"})},
		{"wrong signature", request(pushBody, map[string][]string{"X-Gitea-Event": {"push"}, "X-Gitea-Signature": {forge.Sign([]byte("guess"), []byte(pushBody))}}, push),
			Fail(FailedPrecondition, "payload signature check failed: X-Gitea-Signature does not match the payload and the secret")},
		{"no signature", request(pushBody, map[string][]string{"X-Gitea-Event": {"push"}}, push),
			Fail(FailedPrecondition, "no X-Forgejo-Signature or X-Gitea-Signature header set")},
		{"GitHub's header only", request(pushBody, map[string][]string{"X-Gitea-Event": {"push"}, "X-Hub-Signature-256": {"sha256=" + forge.Sign([]byte(secret), []byte(pushBody))}}, push),
			Fail(FailedPrecondition, "no X-Forgejo-Signature or X-Gitea-Signature header set")},
		{"event not allowed", request(pushBody, signed("release", pushBody), push), Fail(FailedPrecondition, "event type release is not allowed")},
		{"no event", request(pushBody, map[string][]string{"X-Gitea-Signature": {forge.Sign([]byte(secret), []byte(pushBody))}}, push),
			Fail(FailedPrecondition, "no X-Forgejo-Event or X-Gitea-Event header set")},
		{"no event types", request(pushBody, signed("push", pushBody), map[string]any{}),
			Fail(InvalidArgument, "params: eventTypes is empty: name the events this trigger takes")},
		{"misspelt param", request(pushBody, signed("push", pushBody), map[string]any{"eventTypes": []any{"push"}, "eventType": "push"}),
			Fail(InvalidArgument, `params: json: unknown field "eventType"`)},
		{"secret key out of the volume", request(pushBody, signed("push", pushBody), map[string]any{"eventTypes": []any{"push"}, "secretKey": "../../etc/passwd"}),
			Fail(InvalidArgument, `params: secretKey "../../etc/passwd" is not a Secret key`)},
		{"secret not mounted", request(pushBody, signed("push", pushBody), map[string]any{"eventTypes": []any{"push"}, "secretKey": "nope"}),
			Fail(FailedPrecondition, `no webhook secret "nope" is mounted`)},
		{"push body not a push", request(`{"commits":7}`, signed("push", `{"commits":7}`), push),
			Fail(InvalidArgument, "push payload: commits is a JSON number, not what a push holds there")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := f.Process(context.Background(), tt.req)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDir(t *testing.T) {
	d := mounted(t, map[string]string{"secret": "s3cr3t\n", "big": strings.Repeat("x", maxSecret+1)})
	if b, err := d.Secret("secret"); err != nil || string(b) != "s3cr3t\n" {
		t.Errorf("Secret = %q, %v: want the bytes as they are", b, err)
	}
	if _, err := d.Secret("absent"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent: %v", err)
	}
	if _, err := d.Secret("big"); err == nil {
		t.Error("a secret over 1 MiB was read")
	}
}

package intercept

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unsafe"

	"github.com/plumbline/plumbline/pkg/forge"
)

// Secrets gives the webhook secret stored under a key.
type Secrets interface {
	Secret(key string) ([]byte, error)
}

// Forge verifies Gitea and Forgejo webhooks: the signature over the raw
// body with the secret the Trigger names, the event type against the ones
// it allows, and (asked) the files a push changed, in the extensions
// changed_files (comma-separated, as Triggers' GitHub interceptor gives
// them) and changed_files_complete. It always adds event_type, the event
// whichever forge sent it.
type Forge struct {
	Secrets Secrets
}

var _ Interceptor = (*Forge)(nil)

// ForgeParams are the interceptor params a Trigger gives; any other param
// is refused, so that a misspelt eventTypes cannot let every event in.
type ForgeParams struct {
	// SecretKey names the secret: a key of the Secret mounted into the
	// interceptor (default "secret").
	SecretKey string `json:"secretKey,omitempty"`
	// EventTypes lists the events that go on; empty refuses all.
	EventTypes      []string `json:"eventTypes"`
	AddChangedFiles struct {
		Enabled bool `json:"enabled"`
	} `json:"addChangedFiles,omitzero"`
}

// secretKey is what a Kubernetes Secret allows as a key.
var secretKey = regexp.MustCompile(`^[-._a-zA-Z0-9]+$`)

func (f *Forge) Process(_ context.Context, r *Request) *Response {
	var p ForgeParams
	raw, _ := json.Marshal(r.InterceptorParams)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Fail(InvalidArgument, "params: %v", err)
	}
	if p.SecretKey == "" {
		p.SecretKey = "secret"
	}
	if !secretKey.MatchString(p.SecretKey) || p.SecretKey == "." || p.SecretKey == ".." {
		return Fail(InvalidArgument, "params: secretKey %q is not a Secret key", p.SecretKey)
	}
	if len(p.EventTypes) == 0 {
		return Fail(InvalidArgument, "params: eventTypes is empty: name the events this trigger takes")
	}
	header := http.Header{}
	for k, v := range r.Header {
		header[http.CanonicalHeaderKey(k)] = append(header[http.CanonicalHeaderKey(k)], v...)
	}
	event, err := forge.Event(header)
	if err != nil {
		return Fail(FailedPrecondition, "%v", err)
	}
	if !slices.Contains(p.EventTypes, event) {
		return Fail(FailedPrecondition, "event type %s is not allowed", event)
	}
	secret, err := f.Secrets.Secret(p.SecretKey)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Fail(FailedPrecondition, "no webhook secret %q is mounted", p.SecretKey)
	case err != nil:
		return Fail(Internal, "webhook secret %q: %v", p.SecretKey, err)
	}
	// Read, never written: the body is not copied again (it may be 30 MiB).
	body := unsafe.Slice(unsafe.StringData(r.Body), len(r.Body))
	if err := forge.Verify(secret, body, header); err != nil {
		return Fail(FailedPrecondition, "%v", err)
	}
	ext := map[string]any{"event_type": event}
	if p.AddChangedFiles.Enabled && event == "push" {
		c, err := forge.ChangedFiles(body)
		if err != nil {
			return Fail(InvalidArgument, "%v", err)
		}
		ext["changed_files"] = strings.Join(c.Files, ",")
		ext["changed_files_complete"] = c.Complete
	}
	return Continue(ext)
}

package forge

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// SignatureHeaders are the headers a delivery may carry its signature in:
// Forgejo sends the first two, Gitea the last two, each the bare hex
// HMAC-SHA256 of the raw body (not GitHub's "sha256=" form).
var SignatureHeaders = []string{"X-Forgejo-Signature", "X-Gitea-Signature", "X-Gogs-Signature"}

// EventHeaders name the event, in the same order.
var EventHeaders = []string{"X-Forgejo-Event", "X-Gitea-Event", "X-Gogs-Event"}

// ErrNoSignature is a delivery without any signature header.
var ErrNoSignature = errors.New("no X-Forgejo-Signature or X-Gitea-Signature header set")

// SignatureError says which header did not match and why. It never holds
// the secret or the expected signature.
type SignatureError struct {
	Header, Reason string
}

func (e *SignatureError) Error() string {
	return fmt.Sprintf("payload signature check failed: %s %s", e.Header, e.Reason)
}

// Verify checks every signature header present against the HMAC-SHA256
// of body under secret, in constant time. One header is enough, and every
// one present must match: a forged header next to a good one is refused.
// An empty secret verifies nothing.
func Verify(secret, body []byte, h http.Header) error {
	if len(secret) == 0 {
		return errors.New("the webhook secret is empty")
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	want := mac.Sum(nil)
	seen := false
	for _, name := range SignatureHeaders {
		values := h.Values(name)
		switch {
		case len(values) == 0:
			continue
		case len(values) > 1:
			return &SignatureError{Header: name, Reason: "is set more than once"}
		}
		seen = true
		got, err := hex.DecodeString(strings.TrimSpace(values[0]))
		if err != nil || len(got) != sha256.Size {
			return &SignatureError{Header: name, Reason: "is not a hex SHA-256 HMAC"}
		}
		if !hmac.Equal(got, want) {
			return &SignatureError{Header: name, Reason: "does not match the payload and the secret"}
		}
	}
	if !seen {
		return ErrNoSignature
	}
	return nil
}

// Sign is the signature Gitea and Forgejo send for body under secret.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// Event is the delivery's event type (push, pull_request, issue_comment,
// …): the first event header present. Where Forgejo and Gitea headers
// disagree the delivery is refused, since a filter on one must not be
// fooled by the other.
func Event(h http.Header) (string, error) {
	event := ""
	for _, name := range EventHeaders {
		values := h.Values(name)
		if len(values) > 1 {
			return "", fmt.Errorf("%s is set more than once", name)
		}
		if len(values) == 0 {
			continue
		}
		if event != "" && values[0] != event {
			return "", fmt.Errorf("%s says %q, another event header %q", name, values[0], event)
		}
		event = values[0]
	}
	if event == "" {
		return "", errors.New("no X-Forgejo-Event or X-Gitea-Event header set")
	}
	return event, nil
}

package intercept

import (
	"context"
	"fmt"
)

// Request is what the EventListener sends: the webhook's raw body (a
// string, so a signature over it still holds), its headers, what earlier
// interceptors added, and this interceptor's params from the Trigger.
type Request struct {
	Body              string              `json:"body,omitempty"`
	Header            map[string][]string `json:"header,omitempty"`
	Extensions        map[string]any      `json:"extensions,omitempty"`
	InterceptorParams map[string]any      `json:"interceptor_params,omitempty"`
	Context           *TriggerContext     `json:"context"`
}

// TriggerContext says which event and trigger a request is for.
type TriggerContext struct {
	EventURL  string `json:"event_url,omitempty"`
	EventID   string `json:"event_id,omitempty"`
	TriggerID string `json:"trigger_id,omitempty"`
}

// Response says whether the trigger goes on; when it does not, Status
// says why (the EventListener logs it).
type Response struct {
	Extensions map[string]any `json:"extensions,omitempty"`
	Continue   bool           `json:"continue"` // no omitempty: false must be sent
	Status     Status         `json:"status"`
}

// Status is a gRPC-style code and message, as Triggers uses.
type Status struct {
	Code    Code   `json:"code"`
	Message string `json:"message,omitempty"`
}

// Code is a gRPC status code (google.golang.org/grpc/codes), by number.
type Code uint32

// The codes the interceptors of Triggers answer with.
const (
	OK                 Code = 0
	InvalidArgument    Code = 3
	FailedPrecondition Code = 9
	Internal           Code = 13
)

// Interceptor decides one request.
type Interceptor interface {
	Process(ctx context.Context, r *Request) *Response
}

// Fail is a response that stops the trigger, saying why.
func Fail(code Code, format string, args ...any) *Response {
	return &Response{Status: Status{Code: code, Message: fmt.Sprintf(format, args...)}}
}

// Continue is a response that lets the trigger go on with extensions.
func Continue(extensions map[string]any) *Response {
	return &Response{Continue: true, Extensions: extensions}
}

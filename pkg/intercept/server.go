package intercept

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// MaxRequest bounds one request from the EventListener: the webhook body
// (forges send at most a few MiB) JSON-escaped inside it, with headers.
const MaxRequest = 32 << 20

// Timeouts of the server: a client that sends slowly or never reads its
// answer is cut off.
const (
	readTimeout  = 30 * time.Second
	writeTimeout = 30 * time.Second
)

// Handler serves an Interceptor: POST a Request to any path, get its
// Response (200, as Triggers expects even for a refusal); GET /ready is
// the readiness probe. A request that is not a Request gets 400. Each
// refusal is logged with logf (when not nil): the sender of a refused
// webhook sees only a 202 from the EventListener, the operator sees why.
func Handler(i Interceptor, logf func(format string, args ...any)) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		var req Request
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxRequest))
		if err := dec.Decode(&req); err != nil {
			status := http.StatusBadRequest
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				status = http.StatusRequestEntityTooLarge
			}
			http.Error(w, fmt.Sprintf("not an interceptor request: %v", err), status)
			return
		}
		resp := i.Process(r.Context(), &req)
		if !resp.Continue && logf != nil {
			id, trigger := "", ""
			if req.Context != nil {
				id, trigger = req.Context.EventID, req.Context.TriggerID
			}
			logf("refused event %q for %q: %s", id, trigger, resp.Status.Message)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
	})
	return mux
}

// Server is an http.Server for h with timeouts set.
func Server(addr string, h http.Handler) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: readTimeout, WriteTimeout: writeTimeout, MaxHeaderBytes: 1 << 20}
}

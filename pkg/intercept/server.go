package intercept

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"golang.org/x/sync/semaphore"
)

// MaxRequest bounds one request from the EventListener: the webhook body
// (forges send at most a few MiB) JSON-escaped inside it, with headers.
const MaxRequest = 32 << 20

// MaxInFlight bounds the request bytes being read and decided at once:
// each costs about twice its size while it is (the bytes read, the body
// decoded from them), so with the Go runtime's soft limit at 3/4 of the
// Deployment's 256 MiB a flood of big requests waits its turn instead of
// adding up (sixteen signed 30 MiB requests took 2 GiB before).
const MaxInFlight = 48 << 20

// maxWait is how long a request waits for its turn before it is refused
// with 503: a forge retries or shows the delivery as failed, and a flood
// is not queued for ever.
const maxWait = 10 * time.Second

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
	inFlight := semaphore.NewWeighted(MaxInFlight)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		// Refused on its declared size before a byte is read.
		if r.ContentLength > MaxRequest {
			http.Error(w, fmt.Sprintf("not an interceptor request: over %d bytes", MaxRequest), http.StatusRequestEntityTooLarge)
			return
		}
		weight := r.ContentLength
		if weight <= 0 {
			weight = MaxRequest // chunked: it may be as large as allowed
		}
		wait, cancel := context.WithTimeout(r.Context(), maxWait)
		err := inFlight.Acquire(wait, weight)
		cancel()
		if err != nil {
			http.Error(w, "busy: too many large requests at once", http.StatusServiceUnavailable)
			return
		}
		defer inFlight.Release(weight)
		var req Request
		if err := decode(w, r, &req); err != nil {
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

// decode reads the request into one buffer of its declared size (no
// growing copies) and decodes it; the buffer is garbage once it returns,
// while the body string decoded from it is decided.
func decode(w http.ResponseWriter, r *http.Request, req *Request) error {
	body := http.MaxBytesReader(w, r.Body, MaxRequest)
	var buf []byte
	if r.ContentLength > 0 {
		buf = make([]byte, r.ContentLength)
		if _, err := io.ReadFull(body, buf); err != nil {
			return err
		}
	} else {
		var err error
		if buf, err = io.ReadAll(body); err != nil {
			return err
		}
	}
	return json.Unmarshal(buf, req)
}

// Server is an http.Server for h with timeouts set.
func Server(addr string, h http.Handler) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: readTimeout, WriteTimeout: writeTimeout, MaxHeaderBytes: 1 << 20}
}

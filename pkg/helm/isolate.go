package helm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	chart "helm.sh/helm/v4/pkg/chart/v2"

	"github.com/plumbline/plumbline/pkg/proc"
)

// Budget bounds one chart's rendering: the child's address space, its
// wall clock and the output it may return. A variable so tests can lower
// it.
// The memory stays well inside the policy-check step's 1 GiB beside the
// check itself; real charts render in tens of MiB.
var Budget = proc.Limits{Memory: 512 << 20, Timeout: 30 * time.Second, Output: 32 << 20}

const isolated = "helm-render"

func init() { proc.Register(isolated, serve) }

// request is what the child renders: a chart's files or its archive.
type request struct {
	Files   []File  `json:"files,omitempty"`
	Archive []byte  `json:"archive,omitempty"`
	Options Options `json:"options"`
	Output  int     `json:"output"` // Budget.Output of the parent
}

// RenderIsolated loads and renders a chart (its files, or a packaged
// archive) in a child process within Budget. The binary must call
// proc.Serve first thing in main.
func RenderIsolated(ctx context.Context, files []File, archive []byte, opt Options) (*Output, error) {
	in, err := json.Marshal(request{Files: files, Archive: archive, Options: opt, Output: Budget.Output})
	if err != nil {
		return nil, err
	}
	out, err := proc.Isolate(ctx, isolated, in, Budget)
	if err != nil {
		var fe *proc.FuncError
		if errors.As(err, &fe) {
			return nil, &Error{Msg: clip(fe.Msg)}
		}
		var le *proc.LimitError
		if errors.As(err, &le) {
			return nil, &Error{Msg: "rendering " + le.Error(), Budget: true}
		}
		return nil, err
	}
	var o Output
	if err := json.Unmarshal(out, &o); err != nil {
		return nil, fmt.Errorf("read rendered chart: %w", err)
	}
	return &o, nil
}

// Error is a chart that did not render: what helm template would say,
// or the budget it ran out of.
type Error struct {
	Msg    string
	Budget bool
}

func (e *Error) Error() string { return e.Msg }

// maxMessage bounds what a chart's error may put in a report: a
// template that fails deep in a recursion repeats itself at every level.
const maxMessage = 1000

// clip keeps the start (where) and the end (why) of a long message.
func clip(msg string) string {
	if len(msg) <= maxMessage {
		return msg
	}
	head, tail := maxMessage/2, len(msg)-maxMessage/2
	for head > 0 && !utf8.RuneStart(msg[head]) {
		head--
	}
	for tail < len(msg) && !utf8.RuneStart(msg[tail]) {
		tail++
	}
	return msg[:head] + fmt.Sprintf(" … (%d bytes) … ", tail-head) + msg[tail:]
}

func serve(in []byte, w io.Writer) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("helm failed: %v", p)
		}
	}()
	var req request
	if err := json.Unmarshal(in, &req); err != nil {
		return err
	}
	var ch *chart.Chart
	if req.Archive != nil {
		ch, err = LoadArchive(req.Archive)
	} else {
		ch, err = Load(req.Files)
	}
	if err != nil {
		return err
	}
	out, err := Render(context.Background(), ch, req.Options)
	if err != nil {
		return err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	if len(b) > req.Output {
		return fmt.Errorf("rendered more than %d MiB", req.Output>>20)
	}
	_, err = w.Write(b)
	return err
}

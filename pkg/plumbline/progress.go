package plumbline

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/plumbline/plumbline/pkg/report"
)

// progress shows a person which checks run and for how long: one status
// line redrawn in place, and a line as each check ends. Off (silent) when
// no person watches.
type progress struct {
	w       io.Writer
	on      bool
	mu      sync.Mutex
	running map[string]time.Time
	quit    chan struct{}
	done    chan struct{}
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, on: w != nil, running: map[string]time.Time{}, quit: make(chan struct{}), done: make(chan struct{})}
	if !p.on {
		close(p.done)
		return p
	}
	go func() {
		defer close(p.done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-t.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// start marks a check as running; the func it returns marks it done.
func (p *progress) start(name string) func(*report.Report, error) {
	if !p.on {
		return func(*report.Report, error) {}
	}
	p.mu.Lock()
	p.running[name] = time.Now()
	p.draw()
	p.mu.Unlock()
	return func(r *report.Report, err error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		took := time.Since(p.running[name]).Round(100 * time.Millisecond)
		delete(p.running, name)
		what := report.Counts(r.Summary, 0)
		switch {
		case err != nil:
			what = "could not finish: " + report.Truncate(err.Error(), 120)
		case r.Skipped != "":
			what = "skipped: " + r.Skipped
		}
		fmt.Fprintf(p.w, "\r\x1b[K%s %s (%s): %s\n", mark(r, err), name, took, report.Printable(what))
		p.draw()
	}
}

func mark(r *report.Report, err error) string {
	switch {
	case err != nil:
		return "!"
	case !r.Summary.Passed:
		return "✗"
	}
	return "✓"
}

// draw rewrites the status line; p.mu is held.
func (p *progress) draw() {
	names := make([]string, 0, len(p.running))
	for n := range p.running {
		names = append(names, n)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %.1fs", n, time.Since(p.running[n]).Seconds())
	}
	line := ""
	if len(parts) > 0 {
		line = "running: " + strings.Join(parts, " · ")
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
}

func (p *progress) stop() {
	if p.on {
		close(p.quit)
		<-p.done
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

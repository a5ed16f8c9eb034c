package policy

import (
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"time"
)

// errMemory is the cause of an evaluation stopped for its memory.
var errMemory = errors.New("over the memory budget")

// watchMemory returns a context cancelled, with errMemory as its cause,
// when the live heap passes limit bytes. OPA checks for cancellation
// between expressions and inside its generators (numbers.range), so a
// policy that allocates without end stops within a sample or two instead
// of taking the pod down with it. OPA has no allocation limit of its own.
func watchMemory(ctx context.Context, limit uint64) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > limit {
				cancel(fmt.Errorf("%w of %d MiB (--max-memory)", errMemory, limit>>20))
				return
			}
		}
	}()
	return ctx, func() { close(done); cancel(nil) }
}

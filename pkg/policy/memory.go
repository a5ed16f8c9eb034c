package policy

import (
	"context"
	"errors"
	"fmt"
	"runtime"
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
//
// The heap is sampled every 10 ms; past limit, it is collected and
// sampled again, and only what is still there counts. The heap holds the
// last cycle's garbage until it is swept, up to twice the live heap at
// GOGC 200: a run holding 150 MiB of rendered overlays passed 384 MiB that
// way under load (test/hostile, make test) and was stopped for memory it
// did not hold. A policy that really holds more is stopped as before, one
// forced collection later; one that keeps the live heap just under the
// limit makes the collector run at every crossing, as GOMEMLIMIT would.
func watchMemory(ctx context.Context, limit uint64) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
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
			if heapObjects() <= limit {
				continue
			}
			if runtime.GC(); heapObjects() > limit {
				cancel(fmt.Errorf("%w of %d MiB (--max-memory)", errMemory, limit>>20))
				return
			}
		}
	}()
	return ctx, func() { close(done); cancel(nil) }
}

// heapObjects is the heap's objects, live and dead alike: dead ones count
// until the collector has swept them.
func heapObjects() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}

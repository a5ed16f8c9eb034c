package policy

import (
	"context"
	"errors"
	"runtime/debug"
	"testing"
	"time"
)

// The watchdog stops an evaluation for the memory it holds, not for the
// garbage the collector has not swept yet: with the collector off, 256 MiB
// of dropped buffers pass a 64 MiB budget without a stop, and 128 MiB held
// are stopped.
func TestWatchMemoryCountsWhatIsLive(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	ctx, stop := watchMemory(context.Background(), 64<<20)
	defer stop()
	var sink []byte
	for range 256 {
		sink = make([]byte, 1<<20)
		sink[0] = 1
		time.Sleep(time.Millisecond)
	}
	_ = sink
	if err := context.Cause(ctx); err != nil {
		t.Fatalf("stopped for garbage: %v", err)
	}
	var held [][]byte
	for range 128 {
		b := make([]byte, 1<<20)
		b[0] = 1
		held = append(held, b)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("128 MiB held past a 64 MiB budget: not stopped")
	}
	if err := context.Cause(ctx); !errors.Is(err, errMemory) {
		t.Errorf("cause %v", err)
	}
	_ = held[0][0]
}

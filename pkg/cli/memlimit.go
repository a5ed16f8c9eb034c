package cli

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// cgroupLimitFiles are where a container's memory limit is read: cgroup v2,
// then v1.
var cgroupLimitFiles = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// LimitMemory sets the soft memory limit of a process that runs checks
// (Execute does; so does plumbline, which runs them all in one process).
func LimitMemory() { softMemoryLimit(os.Getenv, os.ReadFile) }

// softMemoryLimit sets the Go runtime's soft memory limit to three
// quarters of the container's, so the collector works harder before the
// kernel's OOM killer ends the check without a report. GOMEMLIMIT, when
// set, wins (the runtime has read it already). It returns the limit set,
// or 0.
func softMemoryLimit(getenv func(string) string, read func(string) ([]byte, error)) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return 0
	}
	n := containerMemory(read)
	if n == 0 {
		return 0
	}
	limit := n / 4 * 3
	debug.SetMemoryLimit(limit)
	return limit
}

// ContainerMemory is the memory limit of the container this process runs
// in, in bytes; 0 when it has none (or it cannot be read).
func ContainerMemory() int64 { return containerMemory(os.ReadFile) }

func containerMemory(read func(string) ([]byte, error)) int64 {
	for _, f := range cgroupLimitFiles {
		b, err := read(f)
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		// "max", or v1's "no limit" (a page-rounded MaxInt64), is none.
		if err != nil || n <= 0 || n >= 1<<62 {
			return 0
		}
		return n
	}
	return 0
}

// Package hostile attacks the shipped binaries the way a pull request can:
// with the inputs listed in docs/security.md (symlinks to secrets and to
// /dev/zero, nesting, alias and $GENERATE bombs, Rego that allocates
// without end, pathological globs, reports past every budget). Each case
// runs the real binary and asserts the documented exit code, a report that
// fails with the reason, no Go runtime crash, and time and peak memory
// (measured from the kernel's rusage) inside the Task's limits. Inputs are
// generated here, not committed.
package hostile

// Package results writes a report's verdict as Tekton task results.
//
// Tekton reads results from files (one per result, under /tekton/results)
// and carries them in the container's termination message, which is capped
// at 4,096 bytes for the whole TaskRun. So results hold counts and a status,
// never findings: the full report goes to a file in a workspace.
package results

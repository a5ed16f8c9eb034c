// Package schedule starts a scheduled run: a CronJob's pod creates a
// TaskRun (or PipelineRun) from a template through the Kubernetes API, as
// the pod's own service account, and reports which. It is the one piece a
// drift check on a schedule needs that Tekton has not: Triggers start
// runs from events, and a clock is not one.
package schedule

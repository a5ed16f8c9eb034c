// Package e2e holds the end-to-end tests (build tag e2e) that do what
// Plumbline's users do on a real Kubernetes with Tekton Pipelines and
// Triggers: install a release as the quickstart says, run every Task, run
// the infra-validation Pipeline, push and send GitHub's signed webhook, run
// the quickstart's tkn command, and reuse a Task from the catalog through
// the git and bundles resolvers. make e2e (e2e.sh) builds and starts the
// cluster on loopback, runs them, and takes it all down (docs/e2e.md).
package e2e

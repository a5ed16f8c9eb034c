// Package e2e holds the end-to-end tests that run Plumbline's Tasks on a
// real Kubernetes and Tekton (build tag e2e). make e2e (e2e.sh) builds and
// starts the cluster on loopback, runs them, and takes it all down.
package e2e

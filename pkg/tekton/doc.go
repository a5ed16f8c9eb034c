// Package tekton checks a repository's own Tekton YAML (a homelab's
// tekton/ or .tekton/ directory) offline and without Tekton's Go modules,
// which would triple an image: step images pinned by digest, taskRef,
// pipelineRef and StepAction refs that name something that exists (in the
// repository, or one of Plumbline's own), params and workspaces that
// agree with what the referenced Task or Pipeline declares. What Tekton's
// controller would decide is the oracle (tekton_test.go runs its own
// validation on the same YAML).
package tekton

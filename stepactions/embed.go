// Package stepactions holds Plumbline's own StepActions, compiled into policy-check
// so a repository's Tekton YAML that refers to them is checked against
// what they declare (pkg/tekton).
package stepactions

import "embed"

// FS is every YAML file of stepactions/.
//
//go:embed *.yaml
var FS embed.FS

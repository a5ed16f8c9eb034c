// Package tasks holds Plumbline's own Tasks, compiled into policy-check
// so a repository's Tekton YAML that refers to them is checked against
// what they declare (pkg/tekton).
package tasks

import "embed"

// FS is every YAML file of tasks/.
//
//go:embed *.yaml
var FS embed.FS

// Package pipelines holds Plumbline's own Pipelines, compiled into policy-check
// so a repository's Tekton YAML that refers to them is checked against
// what they declare (pkg/tekton).
package pipelines

import "embed"

// FS is every YAML file of pipelines/.
//
//go:embed *.yaml
var FS embed.FS

// Package policies holds the homelab policy library (homelab/*.rego,
// docs/policies.md), compiled into every binary that runs policies, so a
// policy-check built anywhere has it, not only the image.
package policies

import "embed"

// Library is the homelab library: its .rego files (and their tests) under
// Dir.
//
//go:embed homelab/*.rego
var Library embed.FS

// Dir is the library's directory in Library.
const Dir = "homelab"

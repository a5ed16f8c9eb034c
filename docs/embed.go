// Package docs holds Plumbline's documentation, compiled into the
// plumbline command so that plumbline rules shows the same text as the
// docs and SARIF's help links.
package docs

import "embed"

// FS is every Markdown file of docs/.
//
//go:embed *.md rules/*.md
var FS embed.FS

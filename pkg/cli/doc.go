// Package cli is the command-line contract every Plumbline image follows:
//
//	<tool> [flags] [PATH ...]
//	  --format FORMAT          stdout format (text, json, sarif, junit, markdown, github)
//	  --report FORMAT=FILE     also write FILE in FORMAT (repeatable)
//	  --report-dir DIR         also write DIR/<tool>.json (empty: none)
//	  --fail-on LEVEL          error (default), warning or never
//	  --results-dir DIR        write Tekton results into DIR
//	  --version
//
// Exit codes: 0 pass, 1 findings at or above --fail-on, 2 usage, configuration
// or tool failure. A check never decides its own exit code; it returns a
// report and an error, and Main maps them, so "broken" and "found problems"
// cannot be mixed up. See docs/cli.md.
package cli

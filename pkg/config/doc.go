// Package config reads a repository's .plumbline.yaml (docs/config.md,
// schemas/plumbline.schema.json): which checks run, on which paths, with
// which settings, and for DNS every zone with every server that serves it.
//
// Every binary and the plumbline command read it through here, the same
// way: a setting becomes the value of the flag of the same meaning unless
// the flag was given (flag > config > built-in default), so the config
// and the flags cannot disagree about what a setting means. The config
// comes with a pull request: it is decoded strictly, every path must stay
// inside the repository, and every problem is a report.InputError at its
// line and column.
package config

// Package precommit runs the hooks of .pre-commit-hooks.yaml with the real
// pre-commit, as a user adds them to a repository of their own: Debian
// 12's 3.0.4 (the Debian package) and 4.6.2, the newest (vendored in
// testdata, the package index being out of reach). For each, the hooks
// install, run, find a planted mistake and fail the commit; the pre-push
// hook lets a push through that leaves an old finding alone and stops one
// that adds a new mistake.
package precommit

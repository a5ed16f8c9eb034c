// Package ansiblelint is the ansible-lint-check check: it wraps the real
// ansible-lint so that it works in a pipeline.
//
// A preflight pass, in Go, runs first: every YAML file is parsed (a broken
// file gets a finding with its line), requirements.yml is checked against
// the places ansible will look for collections and roles (a missing one is
// named, with how to vendor it, instead of ansible-lint's "couldn't resolve
// module/action"), and inventories (INI and YAML) are parsed. Then
// ansible-lint runs offline, with HOME and its caches moved somewhere
// writable when they are not, and its codeclimate output becomes our
// findings; its exit codes are mapped onto ours.
package ansiblelint

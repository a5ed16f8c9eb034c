// Package input is a parsed configuration file as policies see it, the
// value conftest would give them, with where each part of it came from, so
// a finding can point at a line; and the YAML reader that makes one (a
// one-pass reader for the common block style, yaml.v3 for the rest, both
// placing every node).
//
// It is a leaf: the policy parsers (pkg/policy/parser), kustomize
// rendering and Flux substitution all read YAML with positions through
// it, and it imports none of them.
package input

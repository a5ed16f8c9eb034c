// Package policy is the policy-check check: Rego policies, evaluated by
// embedded OPA, with conftest's semantics (deny, violation and warn rules
// with their _suffix forms, exception rules, namespaces, data, --combine)
// so an existing conftest policy directory runs unchanged and decides the
// same.
//
// What it adds: every rule gets its own id (namespace/rule) instead of one
// id for all; a finding points at the line of the offending object (from
// the policy's _loc or path metadata, else the YAML document or the HCL
// block the message names); waivers carry a reason and an expiry; a broken
// policy or input exits 2, never 1. Policies are compiled once and prepared
// per worker; inputs are parsed and evaluated in parallel, and findings
// come out in a fixed order.
package policy

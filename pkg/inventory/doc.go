// Package inventory reads Ansible inventories as ansible's ini and yaml
// inventory plugins do: groups, hosts, children and the variables set on
// hosts (ansible_host, with its line), for ansible-lint-check's preflight
// and the address plan.
package inventory

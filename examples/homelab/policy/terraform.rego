package terraform

import rego.v1

# Every Proxmox VM and container is tagged, so the inventory can find it.
deny contains msg if {
	some kind in ["proxmox_virtual_environment_vm", "proxmox_virtual_environment_container"]
	some name, r in input.resource[kind]
	not r.tags
	msg := sprintf("%s.%s has no tags", [kind, name])
}

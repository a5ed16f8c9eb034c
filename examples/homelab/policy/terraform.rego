package terraform

import rego.v1

# Every Proxmox VM and container is tagged, so the inventory can find it.
# In the hcl2 shape a resource's body is a list (one entry per block).
deny contains msg if {
	some kind in ["proxmox_virtual_environment_vm", "proxmox_virtual_environment_container"]
	some name, bodies in input.resource[kind]
	some r in bodies
	not r.tags
	msg := sprintf("%s.%s has no tags", [kind, name])
}

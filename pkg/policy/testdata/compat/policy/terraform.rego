package terraform

import rego.v1

deny contains msg if {
	some name, bodies in input.resource.proxmox_virtual_environment_vm
	some vm in bodies
	some cpu in vm.cpu
	cpu.cores > data.limits.max_cores
	msg := sprintf("proxmox_virtual_environment_vm.%s has %v cores (max %v)", [name, cpu.cores, data.limits.max_cores])
}

warn contains msg if {
	some name, bodies in input.variable
	some v in bodies
	contains(lower(name), "password")
	v.default
	msg := sprintf("variable %s has a default", [name])
}

deny contains msg if {
	input.root_password
	msg := "root_password set in a tfvars file"
}

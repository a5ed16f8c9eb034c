# METADATA
# title: Homelab Terraform (Proxmox)
# description: Terraform files in conftest's hcl2 shape (block bodies are lists).
package homelab.terraform

import rego.v1

# Bounds come from data (--data): homelab.limits.vm.{max_cores, max_memory_mb}.
default max_cores := 8

max_cores := data.homelab.limits.vm.max_cores

default max_memory_mb := 16384

max_memory_mb := data.homelab.limits.vm.max_memory_mb

vms contains [name, i, vm] if {
	some name, bodies in input.resource.proxmox_virtual_environment_vm
	some i, vm in bodies
}

# METADATA
# title: Proxmox VMs stay within the CPU bound
deny_vm_cores contains {"msg": msg, "path": ["resource", "proxmox_virtual_environment_vm", name, i, "cpu"]} if {
	some [name, i, vm] in vms
	some cpu in vm.cpu
	cores := object.get(cpu, "cores", 1) * object.get(cpu, "sockets", 1)
	is_number(cores)
	cores > max_cores
	msg := sprintf("proxmox_virtual_environment_vm.%s has %v cores (at most %v)", [name, cores, max_cores])
}

# METADATA
# title: Proxmox VMs stay within the memory bound
deny_vm_memory contains {"msg": msg, "path": ["resource", "proxmox_virtual_environment_vm", name, i, "memory"]} if {
	some [name, i, vm] in vms
	some mem in vm.memory
	is_number(mem.dedicated)
	mem.dedicated > max_memory_mb
	msg := sprintf("proxmox_virtual_environment_vm.%s has %v MB of memory (at most %v)", [name, mem.dedicated, max_memory_mb])
}

secret_name(name) if regex.match(`(?i)(password|passwd|secret|token|api_?key|private_?key)`, name)

# A literal, not a reference to a variable or a function call.
literal(v) if {
	is_string(v)
	v != ""
	not startswith(v, "${")
}

# METADATA
# title: No plaintext secrets in variable defaults
# description: A default is committed to Git; pass secrets through TF_VAR_ or a secrets manager.
deny_secret_default contains {"msg": msg, "path": ["variable", name, i, "default"]} if {
	some name, bodies in input.variable
	secret_name(name)
	some i, v in bodies
	literal(v.default)
	msg := sprintf("variable %s has a plaintext default", [name])
}

# METADATA
# title: No plaintext secrets in tfvars
deny_secret_tfvars contains {"msg": msg, "path": [name]} if {
	regex.match(`\.tfvars(\.json)?$`, data.conftest.file.name)
	some name, v in input
	secret_name(name)
	literal(v)
	msg := sprintf("%s is set in plain text (tfvars)", [name])
}

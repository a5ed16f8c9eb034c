output "vm_id" {
  description = "The id Proxmox gave the VM."
  value       = proxmox_virtual_environment_vm.this.vm_id
}

output "ipv4_address" {
  description = "The VM's static address."
  value       = var.ipv4_address
}

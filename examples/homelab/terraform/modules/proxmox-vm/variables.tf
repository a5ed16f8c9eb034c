variable "name" {
  type        = string
  description = "VM name, also its hostname."
}

variable "node_name" {
  type        = string
  description = "Proxmox node that hosts the VM."
}

variable "vm_id" {
  type        = number
  description = "Proxmox VM id."
}

variable "cores" {
  type        = number
  description = "vCPU cores."
  default     = 2
}

variable "memory_mb" {
  type        = number
  description = "Memory in MiB."
  default     = 2048
}

variable "template_id" {
  type        = number
  description = "VM id of the cloud-init template to clone."
}

variable "ipv4_address" {
  type        = string
  description = "Static address in CIDR form, e.g. 10.0.20.11/24."
}

variable "gateway" {
  type        = string
  description = "IPv4 gateway."
}

variable "ssh_public_keys" {
  type        = list(string)
  description = "Keys allowed to log in as the default user."
}

variable "hostname" {
  type        = string
  description = "Container hostname."
}

variable "node_name" {
  type        = string
  description = "Proxmox node that hosts the container."
}

variable "template_file_id" {
  type        = string
  description = "OS template, e.g. local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst."
}

variable "ipv4_address" {
  type        = string
  description = "Static address in CIDR form."
}

variable "gateway" {
  type        = string
  description = "IPv4 gateway."
}

variable "memory_mb" {
  type        = number
  description = "Memory in MiB."
  default     = 512
}

# Mistake: a secret with a literal default, and not marked sensitive.
variable "root_password" {
  type        = string
  description = "Root password of the container."
  default     = "changeme123"
}

# Mistake: neither type nor description.
variable "unprivileged" {
  default = true
}

variable "proxmox_api_token" {
  type        = string
  description = "API token of the terraform user"
  default     = "terraform@pve!provider=0b7d5c4e-3a1f-4c8e-9d2b-6f5e4a3c2b1d"
}

variable "ssh_public_keys" {
  type        = list(string)
  description = "Keys the ansible user accepts"
  default     = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq8xv0oQk3m6r1cX5tQmY0g0b1Zq2x4w8u7v6s5r4q3 admin@laptop"]
}

variable "vm_template_id" {
  type        = number
  description = "The Debian 12 cloud-init template"
  default     = 9000
}

variable "dns_domain" {
  type        = string
  description = "The lab's DNS domain"
  default     = "home.arpa"
}

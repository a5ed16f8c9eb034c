variable "ssh_keys" {
  type        = string
  description = "Authorized keys for the cloud-init user"
}

variable "pm_user" {
  type        = string
  description = "Proxmox user, before the token"
  default     = "terraform@pam"
}

variable "proxmox_endpoint" {
  type        = string
  description = "Proxmox VE API endpoint, e.g. https://pve1.home.arpa:8006/."
}

# Mistake: a secret that is not marked sensitive (its value is in terraform.tfvars, too).
variable "proxmox_api_token" {
  type        = string
  description = "API token in the form user@realm!tokenid=secret."
}

variable "ssh_public_keys" {
  type        = list(string)
  description = "Keys for the default user of every VM."
  default     = []
}

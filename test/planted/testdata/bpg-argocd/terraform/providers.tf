terraform {
  required_version = ">= 1.6"
  required_providers {
    proxmox = {
      source = "bpg/proxmox"
    }
  }
}

provider "proxmox" {
  endpoint  = "https://pve1.home.arpa:8006/"
  api_token = var.proxmox_api_token
  insecure  = true
}

terraform {
  required_providers {
    proxmox = {
      source  = "bpg/proxmox"
      version = "~> 0.66"
    }
    random = {
      source = "hashicorp/random"
    }
    legacy = "~> 1.0"
  }
}

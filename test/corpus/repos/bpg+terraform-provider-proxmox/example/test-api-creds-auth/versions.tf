terraform {
  required_providers {
    proxmox = {
      source = "bpg/proxmox"
    }
  }
}

terraform {
  required_providers {
    # Mistake: no version constraint.
    proxmox = {
      source = "bpg/proxmox"
    }
  }
}

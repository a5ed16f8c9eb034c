provider "proxmox" {
  alias    = "bpg"
  endpoint = "https://pve.lab:8006/"
  insecure = true
}

variable "root_password" {
  type        = string
  sensitive   = true
  description = "the containers' root password"
}

resource "proxmox_virtual_environment_container" "dns" {
  node_name = "pve"
  initialization {
    user_account {
      password = "hunter2-Long!"
    }
  }
}

resource "proxmox_lxc" "old" {
  hostname     = "old"
  unprivileged = false
}

resource "proxmox_lxc" "ok" {
  hostname     = "ok"
  unprivileged = true
  password     = var.root_password
}

resource "proxmox_vm_qemu" "vm" {
  name       = "vm"
  cipassword = "hunter2-Long!"
}

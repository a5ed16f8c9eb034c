resource "proxmox_virtual_environment_vm" "dns" {
  count     = 2
  name      = "dns${count.index + 1}"
  node_name = "pve${count.index + 1}"
  vm_id     = 2011 + count.index

  clone {
    vm_id = var.vm_template_id
  }

  cpu {
    cores = 2
  }

  memory {
    dedicated = 2048
  }

  initialization {
    ip_config {
      ipv4 {
        address = "10.0.20.${11 + count.index}/24"
        gateway = "10.0.20.1"
      }
    }

    user_account {
      username = "ansible"
      password = "Homelab2024!"
      keys     = var.ssh_public_keys
    }
  }
}

resource "proxmox_virtual_environment_vm" "k3s" {
  for_each  = { "k3s-1" = 21, "k3s-2" = 22, "k3s-3" = 22 }
  name      = each.key
  node_name = "pve1"

  clone {
    vm_id = var.vm_template_ids
  }

  cpu {
    cores = 4
  }

  memory {
    dedicated = 8192
  }

  initialization {
    ip_config {
      ipv4 {
        address = "10.0.20.${each.value}/24"
        gateway = "10.0.20.1"
      }
    }

    user_account {
      username = "ansible"
      keys     = var.ssh_public_keys
    }
  }
}

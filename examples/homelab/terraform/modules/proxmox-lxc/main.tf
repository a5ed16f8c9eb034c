resource "proxmox_virtual_environment_container" "this" {
  node_name    = var.node_name
  unprivileged = var.unprivileged
  tags         = ["terraform"]

  initialization {
    hostname = var.hostname

    ip_config {
      ipv4 {
        address = var.ipv4_address
        gateway = var.gateway
      }
    }

    user_account {
      password = var.root_password
    }
  }

  memory {
    dedicated = var.memory_mb
  }

  network_interface {
    name   = "eth0"
    bridge = "vmbr0"
  }

  operating_system {
    template_file_id = var.template_file_id
    type             = "debian"
  }

  disk {
    datastore_id = "local-lvm"
    size         = 8
  }
}

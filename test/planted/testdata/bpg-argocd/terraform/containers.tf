resource "proxmox_virtual_environment_container" "monitoring" {
  node_name    = "pve2"
  vm_id        = 3030
  unprivileged = false

  initialization {
    hostname = "monitoring"

    ip_config {
      ipv4 {
        address = "10.0.20.30/24"
        gateway = "10.0.20.1"
      }
    }
  }

  operating_system {
    template_file_id = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
    type             = "debian"
  }

  features {
    nesting = true
  }
}

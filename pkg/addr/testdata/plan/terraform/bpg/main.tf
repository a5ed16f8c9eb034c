locals {
  nodes  = { "k3s-1" = 21, "k3s-2" = 22 }
  prefix = "${var.net}.0/24"
}

resource "proxmox_virtual_environment_vm" "dns" {
  count     = var.dns_count
  name      = "dns${count.index + 1}"
  node_name = "pve"
  initialization {
    ip_config {
      ipv4 {
        address = "${var.net}.${11 + count.index}/24"
        gateway = "${var.net}.1"
      }
    }
  }
}

resource "proxmox_virtual_environment_vm" "k3s" {
  for_each  = local.nodes
  name      = each.key
  node_name = "pve"
  initialization {
    ip_config {
      ipv4 {
        address = format("%s/24", cidrhost(local.prefix, each.value))
      }
    }
  }
}

resource "proxmox_virtual_environment_container" "pihole" {
  node_name = "pve"
  initialization {
    hostname = "pihole"
    ip_config {
      ipv4 {
        address = "10.0.20.12/24"
      }
    }
  }
}

resource "proxmox_virtual_environment_vm" "scratch" {
  name      = "scratch"
  node_name = "pve"
  initialization {
    ip_config {
      ipv4 {
        address = "dhcp"
      }
    }
  }
}

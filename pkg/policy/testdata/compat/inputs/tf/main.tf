variable "admin_password" {
  type      = string
  default   = "hunter2"
  sensitive = true
}

variable "node" {
  default = "pve1"
}

locals {
  name = "vm-${var.node}"
  tags = ["terraform", var.node]
}

resource "proxmox_virtual_environment_vm" "big" {
  name      = local.name
  node_name = var.node
  tags      = local.tags
  cpu {
    cores = 16
  }
  memory {
    dedicated = 2048 * 4
  }
}

resource "proxmox_virtual_environment_vm" "small" {
  name      = "small"
  node_name = "pve2"
  started   = !false
  cpu {
    cores = -(-2)
  }
  description = <<-EOT
    Small VM on ${var.node}
    %{if var.node == "pve1"}primary%{else}secondary%{endif}
  EOT
  network_device {
    bridge = "vmbr0"
  }
  network_device {
    bridge = "vmbr1"
  }
}

module "dns" {
  source  = "./modules/dns"
  records = { for k, v in var.records : k => v if v != "" }
  labels  = { env = "lab", (var.node) = true, "quoted key" = 1.5 }
}

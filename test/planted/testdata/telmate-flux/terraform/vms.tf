locals {
  k3s_nodes  = 3
  base_ip    = 40
  unused_tag = "lab"
}

resource "proxmox_vm_qemu" "k3s" {
  count       = local.k3s_nodes
  name        = "k3s-${count.index + 1}"
  target_node = "pve"
  clone       = "debian-12-cloudinit"
  cores       = 4
  memory      = 8192
  ipconfig0   = "ip=10.0.30.${local.base_ip + count.index}/24,gw=10.0.30.1"
  ciuser      = "ops"
  cipassword  = "k3s-Node-Pass1"
  sshkeys     = var.ssh_keys
}

resource "proxmox_vm_qemu" "gitea" {
  name        = "gitea"
  target_node = "pve"
  clone       = "debian-12-cloudinit"
  cores       = 2
  memory      = 4096
  ipconfig0   = "ip=10.0.30.42/24,gw=10.0.30.1"
  ciuser      = "ops"
  sshkeys     = var.ssh_keys
}

resource "proxmox_lxc" "pihole" {
  target_node  = "pve"
  hostname     = "pihole"
  ostemplate   = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  unprivileged = false
  password     = "pihole-root-99"

  network {
    name   = "eth0"
    bridge = "vmbr0"
    ip     = "10.0.30.53/24"
    gw     = "10.0.30.1"
  }
}

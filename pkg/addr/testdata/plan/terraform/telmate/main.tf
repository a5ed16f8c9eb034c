resource "proxmox_vm_qemu" "nas" {
  name        = "nas"
  target_node = "pve"
  ipconfig0   = "ip=10.0.20.30/24,gw=10.0.20.1"
}

resource "proxmox_lxc" "mqtt" {
  hostname    = "mqtt"
  target_node = "pve"
  network {
    name   = "eth0"
    bridge = "vmbr0"
    ip     = "10.0.20.31/24"
  }
}

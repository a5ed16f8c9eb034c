module "dns1" {
  source = "../../modules/proxmox-vm"

  name            = "dns1"
  node_name       = "pve1"
  vm_id           = 2011
  template_id     = 9000
  ipv4_address    = "10.0.20.11/24"
  gateway         = "10.0.20.1"
  ssh_public_keys = var.ssh_public_keys
}

module "dns2" {
  source = "../../modules/proxmox-vm"

  name         = "dns2"
  node_name    = "pve2"
  vm_id        = 2012
  template_id  = 9000
  ipv4_address = "10.0.20.12/24"
  gateway      = "10.0.20.1"
  # Mistake: a typo, the variable is ssh_public_keys.
  ssh_public_keys = var.ssh_public_key
}

module "monitoring" {
  source = "../../modules/proxmox-lxc"

  hostname         = "monitoring"
  node_name        = "pve1"
  template_file_id = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  ipv4_address     = "10.0.20.30/24"
  gateway          = "10.0.20.1"
}

# Mistake: a git module source without a pinned ref.
module "k3s_node" {
  source = "git::https://github.com/example/terraform-proxmox-k3s.git//modules/node"

  name = "k3s-lab-1"
}

# Mistake: not formatted (terraform fmt would align the equals signs).
module "scratch" {
  source = "../../modules/proxmox-lxc"
  hostname = "scratch"
  node_name = "pve2"
  template_file_id = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  ipv4_address = "10.0.30.40/24"
  gateway = "10.0.30.1"
}

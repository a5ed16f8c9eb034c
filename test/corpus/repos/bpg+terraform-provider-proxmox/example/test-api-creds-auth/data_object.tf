
#### two data objects to help show when an auth-failure will fail immediatly with provider or with each TF-request


data "proxmox_virtual_environment_nodes" "available_nodes_01" {}

data "proxmox_virtual_environment_nodes" "available_nodes_02" {}


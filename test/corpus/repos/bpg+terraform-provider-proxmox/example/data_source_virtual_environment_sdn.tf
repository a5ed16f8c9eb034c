data "proxmox_sdn_zone_simple" "test_zone_1" {
  depends_on = [proxmox_sdn_zone_simple.test_zone_1]
  id         = proxmox_sdn_zone_simple.test_zone_1.id
}

data "proxmox_sdn_zones" "simple" {
  depends_on = [
    proxmox_sdn_zone_simple.test_zone_1,
    proxmox_sdn_zone_simple.test_zone_2,
  ]
  type = "simple"
}

data "proxmox_sdn_zones" "all" {
  depends_on = [
    proxmox_sdn_zone_simple.test_zone_1,
    proxmox_sdn_zone_simple.test_zone_2,
  ]
}

data "proxmox_sdn_vnet" "test_vnet_1" {
  depends_on = [proxmox_sdn_vnet.test_vnet_1]
  id = proxmox_sdn_vnet.test_vnet_1.id
}

data "proxmox_sdn_vnets" "all" {
  depends_on = [
    proxmox_sdn_vnet.test_vnet_1,
    proxmox_sdn_vnet.test_vnet_2,
  ]
}

data "proxmox_sdn_subnet" "test_subnet_dhcp" {
  depends_on = [proxmox_sdn_subnet.test_subnet_dhcp]
  cidr = proxmox_sdn_subnet.test_subnet_dhcp.cidr
  vnet = proxmox_sdn_vnet.test_vnet_1.id
}

output "proxmox_sdn_zone_simple" {
  value = data.proxmox_sdn_zone_simple.test_zone_1
}

output "proxmox_sdn_zones_simple" {
  value = data.proxmox_sdn_zones.simple.zones
}

output "proxmox_sdn_zones_all" {
  value = data.proxmox_sdn_zones.all.zones
}

output "proxmox_sdn_vnet" {
  value = data.proxmox_sdn_vnet.test_vnet_1
}

output "proxmox_sdn_vnets" {
  value = data.proxmox_sdn_vnets.all
}

output "proxmox_sdn_subnet" {
  value = data.proxmox_sdn_subnet.test_subnet_dhcp
}

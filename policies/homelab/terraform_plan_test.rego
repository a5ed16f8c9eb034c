package homelab.terraform_plan_test

import rego.v1

import data.homelab.terraform_plan

# plan is a terraform show -json plan updating one resource.
plan(type, before, after) := {
	"format_version": "1.2",
	"terraform_version": "1.11.0",
	"resource_changes": [{
		"address": sprintf("%s.g", [type]),
		"mode": "managed",
		"type": type,
		"name": "g",
		"change": {"actions": ["update"], "before": before, "after": after},
	}],
}

bpg_vm(size, addr) := {
	"disk": [{"interface": "scsi0", "size": size, "datastore_id": "local-lvm"}, {"interface": "scsi1", "size": 100}],
	"initialization": [{"ip_config": [{"ipv4": [{"address": addr, "gateway": "10.0.20.1"}]}]}],
}

msgs(rules) := {m.msg | some m in rules}

test_bpg_disk_shrinks if {
	msgs(terraform_plan.deny_disk_shrink) == {"proxmox_virtual_environment_vm.g: a disk shrinks from 32 GiB to 16 GiB: Proxmox cannot shrink a disk (the apply fails, or the guest is replaced and its data lost)"} with input as plan("proxmox_virtual_environment_vm", bpg_vm(32, "10.0.20.5/24"), bpg_vm(16, "10.0.20.5/24"))
	count(terraform_plan.deny_disk_shrink) == 0 with input as plan("proxmox_virtual_environment_vm", bpg_vm(32, "10.0.20.5/24"), bpg_vm(64, "10.0.20.5/24"))
}

# A disk added before another moves it in the list, not in its interface.
test_bpg_disk_added_first if {
	before := {"disk": [{"interface": "scsi1", "size": 100}]}
	after := {"disk": [{"interface": "scsi0", "size": 8}, {"interface": "scsi1", "size": 100}]}
	count(terraform_plan.deny_disk_shrink) == 0 with input as plan("proxmox_virtual_environment_vm", before, after)
}

test_telmate_disk_units if {
	before := {"disk": [{"slot": "scsi0", "size": "1T"}], "ipconfig0": "ip=10.0.20.7/24,gw=10.0.20.1"}
	after := {"disk": [{"slot": "scsi0", "size": "512G"}], "ipconfig0": "ip=10.0.20.7/24,gw=10.0.20.1"}
	msgs(terraform_plan.deny_disk_shrink) == {"proxmox_vm_qemu.g: a disk shrinks from 1024 GiB to 512 GiB: Proxmox cannot shrink a disk (the apply fails, or the guest is replaced and its data lost)"} with input as plan("proxmox_vm_qemu", before, after)
	count(terraform_plan.warn_address_change) == 0 with input as plan("proxmox_vm_qemu", before, after)
}

v3_disks(size) := {"disks": [{"scsi": [{"scsi0": [{"disk": [{"size": size, "storage": "local-lvm"}]}]}]}]}

test_telmate_v3_disks if {
	count(terraform_plan.deny_disk_shrink) == 1 with input as plan("proxmox_vm_qemu", v3_disks("20G"), v3_disks("10G"))
	count(terraform_plan.deny_disk_shrink) == 0 with input as plan("proxmox_vm_qemu", v3_disks("10G"), v3_disks("20G"))
}

test_lxc_rootfs if {
	count(terraform_plan.deny_disk_shrink) == 1 with input as plan("proxmox_lxc", {"rootfs": [{"size": "8G"}]}, {"rootfs": [{"size": "4096M"}]})
	count(terraform_plan.deny_disk_shrink) == 1 with input as plan("proxmox_virtual_environment_container", {"disk": [{"size": 8}]}, {"disk": [{"size": 4}]})
}

test_container_becomes_privileged if {
	msgs(terraform_plan.deny_container_privileged) == {"proxmox_virtual_environment_container.g: the container becomes privileged (unprivileged true -> false): root in it is root on the Proxmox host"} with input as plan("proxmox_virtual_environment_container", {"unprivileged": true}, {"unprivileged": false})
	count(terraform_plan.deny_container_privileged) == 1 with input as plan("proxmox_lxc", {"unprivileged": true}, {})
	count(terraform_plan.deny_container_privileged) == 0 with input as plan("proxmox_lxc", {"unprivileged": true}, {"unprivileged": true})
	count(terraform_plan.deny_container_privileged) == 0 with input as plan("proxmox_lxc", {"unprivileged": false}, {"unprivileged": false})
}

test_address_changes if {
	msgs(terraform_plan.warn_address_change) == {"proxmox_virtual_environment_vm.g: its address changes from 10.0.20.5/24 to 10.0.20.6/24: DNS records, the Ansible inventory and firewall rules that name the old one must change with it"} with input as plan("proxmox_virtual_environment_vm", bpg_vm(32, "10.0.20.5/24"), bpg_vm(32, "10.0.20.6/24"))
	count(terraform_plan.warn_address_change) == 1 with input as plan("proxmox_vm_qemu", {"ipconfig0": "ip=10.0.20.7/24,gw=10.0.20.1"}, {"ipconfig0": "ip=10.0.20.8/24,gw=10.0.20.1"})
	count(terraform_plan.warn_address_change) == 1 with input as plan("proxmox_lxc", {"network": [{"name": "eth0", "ip": "10.0.20.9/24"}]}, {"network": [{"name": "eth0", "ip": "dhcp"}]})
	# From DHCP to a static address: nothing named the old one.
	count(terraform_plan.warn_address_change) == 0 with input as plan("proxmox_virtual_environment_vm", bpg_vm(32, "dhcp"), bpg_vm(32, "10.0.20.6/24"))
}

test_not_a_plan if {
	count(terraform_plan.deny_disk_shrink) == 0 with input as {"resource_changes": [{"mode": "managed", "type": "proxmox_lxc", "change": {"actions": ["update"], "before": {"rootfs": [{"size": "8G"}]}, "after": {"rootfs": [{"size": "4G"}]}}}]}
}

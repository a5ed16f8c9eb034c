# METADATA
# title: Homelab Terraform plans (Proxmox)
# description: >-
#   Terraform plans as terraform-plan writes them (terraform show -json,
#   masked): what a change does to Proxmox VMs and containers of the
#   bpg/proxmox and Telmate/proxmox providers.
package homelab.terraform_plan

import rego.v1

vm_types := {"proxmox_virtual_environment_vm", "proxmox_vm_qemu"}

container_types := {"proxmox_virtual_environment_container", "proxmox_lxc"}

guests := vm_types | container_types

# changes are the plan's updates of guests, with before and after.
changes contains [i, rc] if {
	input.format_version
	some i, rc in input.resource_changes
	rc.mode == "managed"
	guests[rc.type]
	"update" in rc.change.actions
	is_object(rc.change.before)
	is_object(rc.change.after)
}

# A disk's size in GiB: a number (bpg, Telmate v3) or a string with a
# unit (Telmate: "32G", "512M", "1T").
gib(v) := v if is_number(v)

gib(v) := to_number(trim_suffix(upper(v), "G")) if {
	is_string(v)
	regex.match(`^[0-9.]+[Gg]$`, v)
}

gib(v) := to_number(trim_suffix(upper(v), "T")) * 1024 if {
	is_string(v)
	regex.match(`^[0-9.]+[Tt]$`, v)
}

gib(v) := to_number(trim_suffix(upper(v), "M")) / 1024 if {
	is_string(v)
	regex.match(`^[0-9.]+[Mm]$`, v)
}

# disk_sizes maps where a disk is (its path in the resource, and its
# interface or slot when it names one) to its size.
disk_sizes(obj) := {key: gib(size) |
	walk(obj, [path, size])
	count(path) > 1
	path[count(path) - 1] == "size"
	disky(path)
	key := disk_key(obj, path)
}

disky(path) if {
	some p in path
	is_string(p)
	p in {"disk", "disks", "rootfs", "mountpoint", "efi_disk", "tpm_state"}
}

# A bpg disk is known by its interface (scsi0), a Telmate one by its slot:
# the list index changes when a disk is added before it.
disk_key(obj, path) := sprintf("%v %v", [array.slice(path, 0, count(path) - 2), d.interface]) if {
	d := object.get(obj, array.slice(path, 0, count(path) - 1), {})
	is_string(d.interface)
} else := sprintf("%v %v", [array.slice(path, 0, count(path) - 2), d.slot]) if {
	d := object.get(obj, array.slice(path, 0, count(path) - 1), {})
	d.slot
} else := sprintf("%v", [array.slice(path, 0, count(path) - 1)])

# METADATA
# title: Proxmox disks do not shrink
# description: Proxmox cannot shrink a disk; the apply fails, or the guest is replaced with its data.
deny_disk_shrink contains {"msg": msg, "path": ["resource_changes", i]} if {
	some [i, rc] in changes
	before := disk_sizes(rc.change.before)
	after := disk_sizes(rc.change.after)
	some key, old in before
	new := after[key]
	new < old
	msg := sprintf("%s: a disk shrinks from %v GiB to %v GiB: Proxmox cannot shrink a disk (the apply fails, or the guest is replaced and its data lost)", [rc.address, old, new])
}

# METADATA
# title: Containers do not become privileged
# description: Root in a privileged container is root on the Proxmox host.
deny_container_privileged contains {"msg": msg, "path": ["resource_changes", i]} if {
	some [i, rc] in changes
	container_types[rc.type]
	rc.change.before.unprivileged == true
	not rc.change.after.unprivileged == true
	msg := sprintf("%s: the container becomes privileged (unprivileged true -> %v): root in it is root on the Proxmox host", [rc.address, object.get(rc.change.after, "unprivileged", "unset, false")])
}

# addresses are a guest's static addresses: bpg's initialization
# ip_config, Telmate's ipconfigN ("ip=10.0.20.5/24,gw=…") and LXC network ip.
addresses(obj) := {a |
	walk(obj, [path, v])
	is_string(v)
	address_at(path)
	some a in address_values(path, v)
}

address_at(path) if {
	count(path) > 1
	path[count(path) - 1] == "address"
	"ip_config" in path
}

address_at(path) if {
	count(path) == 1
	ipconfig(path)
}

address_at(path) if {
	count(path) > 1
	path[count(path) - 1] in {"ip", "ip6"}
	"network" in path
}

ipconfig(path) if {
	is_string(path[0])
	regex.match(`^ipconfig[0-9]+$`, path[0])
}

address_values(path, v) := {a |
	some part in split(v, ",")
	kv := split(part, "=")
	count(kv) == 2
	kv[0] in {"ip", "ip6"}
	a := kv[1]
	not a in {"dhcp", "auto", "manual"}
} if ipconfig(path)

address_values(path, v) := {v} if {
	not ipconfig(path)
	not v in {"dhcp", "auto", "manual", ""}
}

address_values(path, v) := set() if {
	not ipconfig(path)
	v in {"dhcp", "auto", "manual", ""}
}

# METADATA
# title: A guest's static address changes
# description: DNS records, inventories and firewall rules that name the old address break.
warn_address_change contains {"msg": msg, "path": ["resource_changes", i]} if {
	some [i, rc] in changes
	before := addresses(rc.change.before)
	after := addresses(rc.change.after)
	count(before) > 0
	before != after
	msg := sprintf("%s: its address changes from %s to %s: DNS records, the Ansible inventory and firewall rules that name the old one must change with it", [rc.address, concat(", ", sort(before)), concat(", ", sort(after - {"(sensitive value)"}))])
}

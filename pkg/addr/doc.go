// Package addr is the address plan: which machine claims which IP
// address, read from what the repository itself says — the static
// addresses of Proxmox VMs and containers in Terraform (bpg/proxmox and
// Telmate/proxmox, count.index and for_each arithmetic evaluated where it
// is constant), the Ansible inventory's ansible_host, and the records of
// the desired DNS zones. No single tool a homelab uses sees that two
// machines were given one address, or that DNS gives a VM's address to
// another name; each reads one of these files at a time.
package addr

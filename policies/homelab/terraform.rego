# METADATA
# title: Homelab Terraform (Proxmox)
# description: Terraform files in conftest's hcl2 shape (block bodies are lists).
package homelab.terraform

import rego.v1

# Bounds come from data (--data): homelab.limits.vm.{max_cores, max_memory_mb}.
default max_cores := 8

max_cores := data.homelab.limits.vm.max_cores

default max_memory_mb := 16384

max_memory_mb := data.homelab.limits.vm.max_memory_mb

vms contains [name, i, vm] if {
	some name, bodies in input.resource.proxmox_virtual_environment_vm
	some i, vm in bodies
}

# METADATA
# title: Proxmox VMs stay within the CPU bound
deny_vm_cores contains {"msg": msg, "path": ["resource", "proxmox_virtual_environment_vm", name, i, "cpu"]} if {
	some [name, i, vm] in vms
	some cpu in vm.cpu
	cores := object.get(cpu, "cores", 1) * object.get(cpu, "sockets", 1)
	is_number(cores)
	cores > max_cores
	msg := sprintf("proxmox_virtual_environment_vm.%s has %v cores (at most %v)", [name, cores, max_cores])
}

# METADATA
# title: Proxmox VMs stay within the memory bound
deny_vm_memory contains {"msg": msg, "path": ["resource", "proxmox_virtual_environment_vm", name, i, "memory"]} if {
	some [name, i, vm] in vms
	some mem in vm.memory
	is_number(mem.dedicated)
	mem.dedicated > max_memory_mb
	msg := sprintf("proxmox_virtual_environment_vm.%s has %v MB of memory (at most %v)", [name, mem.dedicated, max_memory_mb])
}

# secret_name decides by whole tokens of the name (split at _ - . and
# case changes), as the Go checks' secret.Name does (the
# same table tests both): a credential's word (password, token, secret,
# api key, private key, ...), not a fact about one (its _id, _arn, _path,
# _file, _version, _days, _ttl, ...), not a flag (manage_, create_,
# enable_, use_, ...).
secret_name(name) if {
	ts := name_tokens(name)
	count(ts) > 0
	secret_token(ts)
	not not_secret_last[ts[count(ts) - 1]]
	not flag_first[ts[0]]
}

name_tokens(name) := [t | some t in regex.split(`[-_. ]+`, lower(regex.replace(name, `([a-z0-9])([A-Z])`, "${1}_${2}"))); t != ""]

secret_token(ts) if {
	some t in ts
	secret_words[t]
}

secret_token(ts) if {
	some i in numbers.range(1, count(ts) - 1)
	secret_pairs[[ts[i - 1], ts[i]]]
}

secret_words := {"password", "passwd", "passphrase", "secret", "token", "credential", "credentials", "apikey", "psk", "pass", "pwd"}

secret_pairs := {["api", "key"], ["private", "key"], ["access", "key"], ["secret", "key"]}

not_secret_last := {
	"id", "ids", "name", "names", "arn", "arns", "path", "paths", "file", "files", "filename", "dir",
	"length", "len", "version", "versions", "days", "hours", "minutes", "seconds", "count", "ttl",
	"enabled", "enable", "type", "policy", "rotation", "url", "uri", "endpoint", "user", "username",
	"prefix", "suffix", "header", "location", "ref", "expiry", "expiration", "duration", "expression",
	"schedule", "interval", "period", "window", "format", "mode", "strategy", "algorithm", "size",
}

flag_first := {"manage", "create", "enable", "use", "generate", "is", "has", "rotate", "random", "require", "allow", "disable", "existing"}

# A literal of a credential's shape: a non-empty string, not a reference
# or a function call, not an ARN, a path or an expression with spaces
# (rate(15 days)).
literal(v) if {
	is_string(v)
	v != ""
	not regex.match(`^(arn:|/|\./|\.\./|~/|\$\{)|\s`, v)
}

# METADATA
# title: No plaintext secrets in variable defaults
# description: A default is committed to Git; pass secrets through TF_VAR_ or a secrets manager.
deny_secret_default contains {"msg": msg, "path": ["variable", name, i, "default"]} if {
	some name, bodies in input.variable
	secret_name(name)
	some i, v in bodies
	literal(v.default)
	msg := sprintf("variable %s has a plaintext default", [name])
}

# METADATA
# title: No plaintext secrets in tfvars
deny_secret_tfvars contains {"msg": msg, "path": [name]} if {
	regex.match(`\.tfvars(\.json)?$`, data.conftest.file.name)
	some name, v in input
	secret_name(name)
	literal(v)
	msg := sprintf("%s is set in plain text (tfvars)", [name])
}

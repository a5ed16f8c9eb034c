# METADATA
# title: Homelab Ansible
# description: INI inventories, YAML group_vars/host_vars files and role defaults/vars.
package homelab.ansible

import rego.v1

import data.homelab.terraform

# A credential's name and a value of a credential's shape, decided as
# for Terraform (terraform.secret_name and terraform.literal: whole name
# tokens, not k3s_token_file; not a path or an ARN).
secret_name(name) := terraform.secret_name(name)

# Vaulted ($ANSIBLE_VAULT, also from !vault) and Jinja references are fine.
plaintext(v) if {
	terraform.literal(v)
	not startswith(v, "$ANSIBLE_VAULT")
	not contains(v, "{{")
}

default dir := ""

dir := data.conftest.file.dir

default file := ""

file := data.conftest.file.name

vars_file if regex.match(`(^|/)(group_vars|host_vars)(/|$)`, dir)

vars_file if regex.match(`(^|/)roles/[^/]+/(defaults|vars)(/|$)`, dir)

inventory if regex.match(`(?i)^(hosts|inventory)`, file)

inventory if regex.match(`(^|/)inventor(y|ies)(/|$)`, dir)

# METADATA
# title: No plaintext passwords in group_vars, host_vars or role variables
# description: Encrypt them with ansible-vault (encrypt_string gives a !vault value).
deny_plaintext_vars contains {"msg": msg, "path": [key]} if {
	vars_file
	some key, v in input
	secret_name(key)
	plaintext(v)
	msg := sprintf("%s is a plaintext secret; encrypt it with ansible-vault", [key])
}

# Host lines: [group] -> host -> vars; [group:vars] -> key -> value.
# METADATA
# title: No plaintext passwords in inventories
deny_plaintext_inventory contains {"msg": msg, "path": [section, host, key]} if {
	inventory
	some section, hosts in input
	not endswith(section, ":vars")
	some host, vars in hosts
	is_object(vars)
	some key, v in vars
	secret_name(key)
	plaintext(v)
	msg := sprintf("host %s sets %s in plain text; use a vaulted host_vars file", [host, key])
}

deny_plaintext_inventory contains {"msg": msg, "path": [section, key]} if {
	inventory
	some section, vars in input
	endswith(section, ":vars")
	some key, v in vars
	secret_name(key)
	plaintext(v)
	msg := sprintf("[%s] sets %s in plain text; use a vaulted group_vars file", [section, key])
}

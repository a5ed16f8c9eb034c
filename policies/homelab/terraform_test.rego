package homelab.terraform_test

import rego.v1

import data.homelab.terraform

vm(cores, mem) := {"resource": {"proxmox_virtual_environment_vm": {"big": [{"cpu": [{"cores": cores}], "memory": [{"dedicated": mem}]}]}}}

test_within_bounds if {
	count(terraform.deny_vm_cores) == 0 with input as vm(4, 4096)
	count(terraform.deny_vm_memory) == 0 with input as vm(4, 4096)
}

test_too_many_cores if {
	{m.msg | some m in terraform.deny_vm_cores} == {"proxmox_virtual_environment_vm.big has 16 cores (at most 8)"} with input as vm(16, 4096)
}

test_bounds_from_data if {
	count(terraform.deny_vm_cores) == 0 with input as vm(16, 4096) with data.homelab.limits.vm.max_cores as 32
	count(terraform.deny_vm_memory) == 1 with input as vm(4, 4096) with data.homelab.limits.vm.max_memory_mb as 2048
}

test_references_are_not_numbers if {
	count(terraform.deny_vm_cores) == 0 with input as vm("${var.cores}", 4096)
}

test_secret_default if {
	doc := {"variable": {"root_password": [{"default": "hunter2"}], "node": [{"default": "pve1"}], "api_token": [{"default": "${local.t}"}]}}
	{m.msg | some m in terraform.deny_secret_default} == {"variable root_password has a plaintext default"} with input as doc
}

test_secret_tfvars if {
	{m.msg | some m in terraform.deny_secret_tfvars} == {"proxmox_api_token is set in plain text (tfvars)"} with input as {"proxmox_api_token": "abc", "node": "pve1"} with data.conftest.file.name as "prod.tfvars"
	count(terraform.deny_secret_tfvars) == 0 with input as {"proxmox_api_token": ""} with data.conftest.file.name as "prod.tfvars"
	count(terraform.deny_secret_tfvars) == 0 with input as {"proxmox_api_token": "abc"} with data.conftest.file.name as "main.yml"
}

# Issue 31: a value that cannot be a credential, or a name that is a fact
# about one, is not a plaintext secret.
test_secret_tfvars_shapes if {
	doc := {
		"secret_rotation_schedule": "rate(15 days)",
		"db_secret_arn": "arn:aws:secretsmanager:eu-west-1:1:secret:db",
		"k3s_token": "/etc/rancher/k3s/token",
		"password_wo_version": 2,
		"manage_master_user_password": true,
		"pm_api_token_id": "terraform@pve!ci",
	}
	count(terraform.deny_secret_tfvars) == 0 with input as doc with data.conftest.file.name as "prod.tfvars"
}

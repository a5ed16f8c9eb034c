package homelab.ansible_test

import rego.v1

import data.homelab.ansible

in_file(dir, name) := {"dir": dir, "name": name}

test_group_vars_plaintext if {
	doc := {"ansible_become_password": "hunter2", "ntp_server": "pool.ntp.org", "db_password": "{{ vault_db_password }}"}
	{m.msg | some m in ansible.deny_plaintext_vars} == {"ansible_become_password is a plaintext secret; encrypt it with ansible-vault"} with input as doc with data.conftest.file as in_file("/src/ansible/group_vars", "all.yml")
}

test_vaulted_is_fine if {
	doc := {"api_token": "$ANSIBLE_VAULT;1.1;AES256\n6162"}
	count(ansible.deny_plaintext_vars) == 0 with input as doc with data.conftest.file as in_file("/src/ansible/host_vars", "dns1.yml")
}

test_other_yaml_ignored if {
	count(ansible.deny_plaintext_vars) == 0 with input as {"password": "x"} with data.conftest.file as in_file("/src/kubernetes", "secret.yaml")
}

test_inventory_host_vars if {
	doc := {"dns": {"dns1": {"ansible_host": "10.0.0.53", "ansible_password": "admin"}}, "dns:vars": {"technitium_api_token": "abc"}}
	{m.msg | some m in ansible.deny_plaintext_inventory} == {
		"host dns1 sets ansible_password in plain text; use a vaulted host_vars file",
		"[dns:vars] sets technitium_api_token in plain text; use a vaulted group_vars file",
	} with input as doc with data.conftest.file as in_file("/src/ansible/inventory", "hosts.ini")
}

test_role_defaults if {
	count(ansible.deny_plaintext_vars) == 1 with input as {"admin_password": "x"} with data.conftest.file as in_file("/src/roles/technitium/defaults", "main.yml")
}

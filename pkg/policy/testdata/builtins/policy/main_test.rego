package main

import rego.v1

test_parse_config if {
	count(deny) == 1 with input as parse_config("yaml", "kind: Deployment\nmetadata: {name: x}\nspec: {replicas: 5}\n")
}

test_parse_config_hcl if {
	cfg := parse_config("hcl2", "resource \"lab_vm\" \"a\" {\n  cores = 2\n}\n")
	cfg.resource.lab_vm.a[0].cores == 2
}

test_parse_config_file if {
	count(deny) == 1 with input as parse_config_file("big.yaml")
	docs := parse_config_file("small.yaml")
	some d in docs
	d.kind == "Deployment"
	count(deny) == 0 with input as d
}

test_parse_combined_config_files if {
	c := parse_combined_config_files(["small.yaml", "big.yaml"])
	count(c) == 3
	some e in c
	endswith(e.path, "big.yaml")
	e.contents.spec.replicas == 9
}

test_reads_only_inside_the_tree if {
	not parse_config_file("../../../../../../../../etc/passwd")
}

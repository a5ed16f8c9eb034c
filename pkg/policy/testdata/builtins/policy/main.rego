package main

import rego.v1

# The limits live next to the policy, as conftest's parse_config_file reads
# them: relative to this file.
limits := parse_config_file("limits.yaml")

deny contains msg if {
	input.kind == "Deployment"
	input.spec.replicas > limits.max_replicas
	msg := sprintf("%s: %d replicas, over the limit of %d", [input.metadata.name, input.spec.replicas, limits.max_replicas])
}

package main

import rego.v1

# A plain string message.
deny contains msg if {
	input.kind == "Deployment"
	not input.spec.replicas
	msg := sprintf("%s has no replicas", [input.metadata.name])
}

# An object message with metadata and a path into the document.
violation contains {"msg": msg, "path": ["spec", "template", "spec", "containers", i, "image"], "details": {"image": c.image}} if {
	input.kind == "Deployment"
	some i, c in input.spec.template.spec.containers
	endswith(c.image, ":latest")
	msg := sprintf("%s uses :latest", [c.name])
}

# A suffixed rule that an exception can excuse.
deny_privileged contains msg if {
	some c in input.spec.template.spec.containers
	c.securityContext.privileged
	msg := sprintf("%s is privileged", [c.name])
}

warn_ports contains msg if {
	input.kind == "Service"
	some p in input.spec.ports
	p.port < 1024
	msg := sprintf("service %s uses low port %d", [input.metadata.name, p.port])
}

warn contains msg if {
	input.metadata.labels.tier == "tmp"
	msg := "temporary object"
}

# Exceptions name rules without their deny_/warn_ prefix.
exception contains rules if {
	input.metadata.name == "node-exporter"
	rules := ["privileged"]
}

exception contains rules if {
	input.metadata.name == "legacy"
	rules := ["ports", "ports"]
}

# Numbers and booleans parsed from INI, TOML and dotenv.
deny contains msg if {
	input.server.port == 22
	msg := "ssh port in app config"
}

deny contains msg if {
	input.database.max_connections > data.limits.max_connections
	msg := sprintf("max_connections %v above %v", [input.database.max_connections, data.limits.max_connections])
}

warn contains msg if {
	input.DEBUG == "true"
	msg := "DEBUG is on"
}

# data.conftest.file names the input file.
warn contains msg if {
	startswith(data.conftest.file.name, "scratch")
	msg := sprintf("%s looks like a scratch file", [data.conftest.file.name])
}

package kubernetes

import rego.v1

containers contains c if {
	input.kind == "Deployment"
	some c in input.spec.template.spec.containers
}

deny contains msg if {
	some c in containers
	endswith(c.image, ":latest")
	msg := sprintf("container %s uses the mutable tag :latest", [c.name])
}

deny contains msg if {
	some c in containers
	not c.resources.limits.memory
	msg := sprintf("container %s has no memory limit", [c.name])
}

warn contains msg if {
	some c in containers
	not c.securityContext.runAsNonRoot
	msg := sprintf("container %s may run as root", [c.name])
}

package kubernetes.security

import rego.v1

deny contains msg if {
	some c in input.spec.template.spec.containers
	not c.securityContext.runAsNonRoot
	msg := sprintf("%s may run as root", [c.name])
}

warn_host contains {"msg": msg} if {
	input.spec.template.spec.hostNetwork == true
	msg := "uses the host network"
}

package main

deny[msg] {
	input.kind == "Deployment"
	not input.spec.replicas
	msg := sprintf("%s has no replicas (v0)", [input.metadata.name])
}

warn[msg] {
	input.kind == "Service"
	msg := "a service"
}

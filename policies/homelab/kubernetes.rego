# METADATA
# title: Homelab Kubernetes workloads
# description: Pod templates of Deployments, StatefulSets, DaemonSets, Jobs, CronJobs and Pods.
package homelab.kubernetes

import rego.v1

# The pod spec of each workload kind, and the path to it (for line numbers).
pod := {"spec": input.spec, "path": ["spec"]} if input.kind == "Pod"

pod := {"spec": input.spec.template.spec, "path": ["spec", "template", "spec"]} if {
	input.kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
}

pod := {"spec": input.spec.jobTemplate.spec.template.spec, "path": ["spec", "jobTemplate", "spec", "template", "spec"]} if {
	input.kind == "CronJob"
}

containers contains [kind, i, c] if {
	some kind in ["initContainers", "containers"]
	some i, c in pod.spec[kind]
}

name := sprintf("%s/%s", [input.kind, input.metadata.name])

# METADATA
# title: Containers set CPU and memory limits
# description: Without limits one container can starve the node; homelab nodes are small.
deny_limits contains {"msg": msg, "path": array.concat(pod.path, [kind, i, "resources"])} if {
	some [kind, i, c] in containers
	some r in ["cpu", "memory"]
	not c.resources.limits[r]
	msg := sprintf("%s: container %s has no %s limit", [name, c.name, r])
}

# METADATA
# title: Images are pinned
# description: A :latest or untagged image changes under you; pin a version or a digest.
deny_latest contains {"msg": msg, "path": array.concat(pod.path, [kind, i, "image"])} if {
	some [kind, i, c] in containers
	not contains(c.image, "@sha256:")
	unpinned(c.image)
	msg := sprintf("%s: container %s uses an unpinned image %s", [name, c.name, c.image])
}

unpinned(image) if endswith(image, ":latest")

unpinned(image) if {
	parts := split(image, "/")
	not contains(parts[count(parts) - 1], ":")
}

# METADATA
# title: Containers run as non-root
deny_root contains {"msg": msg, "path": array.concat(pod.path, [kind, i])} if {
	some [kind, i, c] in containers
	not non_root(c)
	msg := sprintf("%s: container %s may run as root (set securityContext.runAsNonRoot: true)", [name, c.name])
}

# A container runs as the UID its runAsUser (else its pod's) names, so
# one above 0 is not root without runAsNonRoot; a UID of 0 is root
# whatever runAsNonRoot says (the kubelet then refuses to start it).
non_root(c) if uid(c) > 0

non_root(c) if {
	not root_uid(c)
	c.securityContext.runAsNonRoot == true
}

non_root(c) if {
	not root_uid(c)
	not c.securityContext.runAsNonRoot == false
	pod.spec.securityContext.runAsNonRoot == true
}

# A helper, not "not uid(c) == 0": negating a comparison with a function
# call that is undefined does not hold in OPA.
root_uid(c) if uid(c) == 0

uid(c) := c.securityContext.runAsUser

uid(c) := pod.spec.securityContext.runAsUser if not c.securityContext.runAsUser

# METADATA
# title: No privileged containers
deny_privileged contains {"msg": msg, "path": array.concat(pod.path, [kind, i, "securityContext", "privileged"])} if {
	some [kind, i, c] in containers
	c.securityContext.privileged == true
	msg := sprintf("%s: container %s is privileged", [name, c.name])
}

# METADATA
# title: No hostPath volumes
# description: A hostPath ties the pod to one node and exposes the node's files.
deny_hostpath contains {"msg": msg, "path": array.concat(pod.path, ["volumes", i])} if {
	some i, v in pod.spec.volumes
	v.hostPath
	msg := sprintf("%s: volume %s mounts hostPath %s", [name, v.name, v.hostPath.path])
}

# A rendered object of a production overlay (data.plumbline.input.overlay
# is the kustomization it was rendered from).
prod_overlay if {
	some seg in split(data.plumbline.input.overlay, "/")
	seg in {"prod", "production"}
}

# METADATA
# title: Production images are pinned to a version or a digest
# description: In a prod overlay a tag such as stable, main or edge moves as surely as latest.
deny_prod_floating_tag contains {"msg": msg, "path": array.concat(pod.path, [kind, i, "image"])} if {
	prod_overlay
	some [kind, i, c] in containers
	not contains(c.image, "@sha256:")
	not unpinned(c.image) # deny_latest reports those
	parts := split(c.image, ":")
	tag := parts[count(parts) - 1]
	not regex.match(`[0-9]`, tag)
	msg := sprintf("%s: container %s runs %s in production: a floating tag; pin a version or a digest", [name, c.name, c.image])
}

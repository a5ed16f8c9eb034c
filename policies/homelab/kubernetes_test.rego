package homelab.kubernetes_test

import rego.v1

import data.homelab.kubernetes

good := {
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {
		"securityContext": {"runAsNonRoot": true},
		"containers": [{
			"name": "web",
			"image": "nginx:1.27",
			"resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
		}],
	}}},
}

test_good_deployment_passes if {
	count(kubernetes.deny_limits) == 0 with input as good
	count(kubernetes.deny_latest) == 0 with input as good
	count(kubernetes.deny_root) == 0 with input as good
	count(kubernetes.deny_privileged) == 0 with input as good
	count(kubernetes.deny_hostpath) == 0 with input as good
}

test_missing_limits if {
	doc := json.patch(good, [{"op": "remove", "path": "/spec/template/spec/containers/0/resources"}])
	{m.msg | some m in kubernetes.deny_limits} == {
		"Deployment/web: container web has no cpu limit",
		"Deployment/web: container web has no memory limit",
	} with input as doc
}

test_latest_and_untagged if {
	latest := json.patch(good, [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "nginx:latest"}])
	count(kubernetes.deny_latest) == 1 with input as latest
	untagged := json.patch(good, [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "registry.lan:5000/nginx"}])
	count(kubernetes.deny_latest) == 1 with input as untagged
	digest := json.patch(good, [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "nginx@sha256:abc"}])
	count(kubernetes.deny_latest) == 0 with input as digest
}

test_root if {
	doc := json.patch(good, [{"op": "remove", "path": "/spec/template/spec/securityContext"}])
	count(kubernetes.deny_root) == 1 with input as doc
	override := json.patch(good, [{"op": "add", "path": "/spec/template/spec/containers/0/securityContext", "value": {"runAsNonRoot": false}}])
	count(kubernetes.deny_root) == 1 with input as override
}

# Issue 31: a UID above 0 is not root, at the container's or the pod's
# level, without runAsNonRoot; UID 0 is root even with it.
test_run_as_user if {
	bare := json.patch(good, [{"op": "remove", "path": "/spec/template/spec/securityContext"}])
	container := json.patch(bare, [{"op": "add", "path": "/spec/template/spec/containers/0/securityContext", "value": {"runAsUser": 1000}}])
	count(kubernetes.deny_root) == 0 with input as container
	podlevel := json.patch(bare, [{"op": "add", "path": "/spec/template/spec/securityContext", "value": {"runAsUser": 65532}}])
	count(kubernetes.deny_root) == 0 with input as podlevel
	zero := json.patch(good, [{"op": "add", "path": "/spec/template/spec/containers/0/securityContext", "value": {"runAsUser": 0}}])
	count(kubernetes.deny_root) == 1 with input as zero
	back := json.patch(podlevel, [{"op": "add", "path": "/spec/template/spec/containers/0/securityContext", "value": {"runAsUser": 0}}])
	count(kubernetes.deny_root) == 1 with input as back
}

test_privileged if {
	doc := json.patch(good, [{"op": "add", "path": "/spec/template/spec/containers/0/securityContext", "value": {"privileged": true, "runAsNonRoot": true}}])
	count(kubernetes.deny_privileged) == 1 with input as doc
}

test_hostpath if {
	doc := json.patch(good, [{"op": "add", "path": "/spec/template/spec/volumes", "value": [{"name": "data", "hostPath": {"path": "/srv"}}]}])
	{m.msg | some m in kubernetes.deny_hostpath} == {"Deployment/web: volume data mounts hostPath /srv"} with input as doc
}

test_cronjob_and_pod if {
	cron := {"kind": "CronJob", "metadata": {"name": "backup"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "restic:latest"}]}}}}}}
	count(kubernetes.deny_latest) == 1 with input as cron
	pod := {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
	count(kubernetes.deny_latest) == 1 with input as pod
}

test_other_kinds_ignored if {
	cm := {"kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"image": "x:latest"}}
	count(kubernetes.deny_latest) == 0 with input as cm
	count(kubernetes.deny_limits) == 0 with input as cm
}

test_prod_overlay_floating_tag if {
	doc := json.patch(good, [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "nginx:stable"}])
	count(kubernetes.deny_prod_floating_tag) == 1 with input as doc with data.plumbline.input.overlay as "k8s/overlays/prod"
	count(kubernetes.deny_prod_floating_tag) == 0 with input as doc with data.plumbline.input.overlay as "k8s/overlays/dev"
	count(kubernetes.deny_prod_floating_tag) == 0 with input as good with data.plumbline.input.overlay as "k8s/overlays/prod"
	count(kubernetes.deny_prod_floating_tag) == 0 with input as doc
}

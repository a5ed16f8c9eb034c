#!/usr/bin/env bash
# make e2e: a real single-node Kubernetes, Tekton Pipelines and Triggers on loopback,
# our images built by ko into a registry on 127.0.0.1, then the e2e tests
# (test/e2e/*_test.go, build tag e2e) against it, then everything down,
# also when a test fails or the run is interrupted. Needs root and the
# Debian packages listed in docs/e2e.md. State lives in $E2E_STATE
# (default build/e2e); logs in $E2E_STATE/logs. E2E_RUN=regexp runs only
# the matching tests. E2E_TEKTON_FLAGS='{"key": "value"}' sets keys of
# Tekton's feature-flags (to measure a setting docs/quickstart.md offers;
# the default is Tekton's own).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export E2E_STATE=${E2E_STATE:-$root/build/e2e}
# The real path: mounts are listed under it, so teardown finds them even
# when build/ is a symlink.
mkdir -p "$E2E_STATE" && E2E_STATE=$(cd "$E2E_STATE" && pwd -P)
export E2E_REGISTRY=${E2E_REGISTRY:-127.0.0.1:5000}
export E2E_BRIDGE=plbr0 E2E_HOST_IP=10.244.0.1 E2E_PVS=${E2E_PVS:-24}
export KUBECONFIG=$E2E_STATE/kubeconfig
state=$E2E_STATE
bin=$state/bin
K8S_VERSION=v1.34.4
export PATH="$bin:$PATH:/usr/sbin:/sbin"

t0=$(date +%s)
phase() { local s=$(date +%s); echo "== $1"; shift; "$@"; local rc=$?; echo "== $(( $(date +%s) - s ))s (total $(( $(date +%s) - t0 ))s)"; return $rc; }
wait_for() { local n=$1; shift; for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done; echo "e2e: timed out waiting for: $*" >&2; return 1; }

[[ $(id -u) == 0 ]] || { echo "e2e: needs root (containerd, kubelet, mounts)" >&2; exit 2; }
for c in etcd containerd runc iptables openssl busybox python3 git ip; do
	command -v "$c" >/dev/null || { echo "e2e: $c is missing (docs/e2e.md lists the Debian packages)" >&2; exit 2; }
done
[[ -x /usr/lib/cni/bridge ]] || { echo "e2e: CNI plugins missing (containernetworking-plugins)" >&2; exit 2; }

# Builds at pinned versions, reused while the throwaway modules are unchanged.
build() {
	mkdir -p "$bin"
	local stamp=$bin/.built
	local sum; sum=$(cat "$here"/upstream/{kubernetes,pipeline,triggers,tkn,git-init}/go.{mod,sum} "$here"/tools/go.{mod,sum} "$here"/tools/*/main.go "$here"/upstream/tkn/main.go | sha256sum | cut -c1-16)
	if [[ -f $stamp && $(cat "$stamp") == "$sum" ]]; then echo "cluster binaries cached in $bin"; return; fi
	local min=${K8S_VERSION#v1.}; min=${min%%.*}
	local ld="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$min -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$min"
	(cd "$here/upstream/kubernetes" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "$ld" -o "$bin/" \
		k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubelet \
		k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
	(cd "$here/upstream/pipeline" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$bin/" \
		github.com/tektoncd/pipeline/cmd/controller github.com/tektoncd/pipeline/cmd/entrypoint \
		github.com/tektoncd/pipeline/cmd/nop github.com/tektoncd/pipeline/cmd/workingdirinit \
		github.com/tektoncd/pipeline/cmd/sidecarlogresults github.com/tektoncd/pipeline/cmd/resolvers)
	(cd "$here/upstream/triggers" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$bin/triggers/" \
		github.com/tektoncd/triggers/cmd/controller github.com/tektoncd/triggers/cmd/eventlistenersink \
		github.com/tektoncd/triggers/cmd/interceptors)
	(cd "$here/upstream/tkn" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath \
		-ldflags "-s -w -X github.com/tektoncd/cli/pkg/cmd/version.clientVersion=v0.44.0" -o "$bin/tkn" .)
	(cd "$here/upstream/git-init" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$bin/" github.com/tektoncd/pipeline/cmd/git-init)
	(cd "$here/tools" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$bin/" ./registry ./mkimg ./pause)
	echo "$sum" >"$stamp"
}

render() {
	local bridge=$E2E_BRIDGE
	mkdir -p "$state"/{conf,run,logs,pki,kubelet,podlogs,cni/net.d,containerd/certs.d/$E2E_REGISTRY,containerd/certs.d/gcr.io}
	sub() { sed -e "s#@STATE@#$state#g" -e "s#@REG@#$E2E_REGISTRY#g" -e "s#@BRIDGE@#$bridge#g" "$1" >"$2"; }
	sub "$here/conf/kubelet-config.yaml" "$state/conf/kubelet-config.yaml"
	sub "$here/conf/containerd/config.toml" "$state/conf/containerd.toml"
	sub "$here/conf/containerd/hosts.toml" "$state/containerd/certs.d/$E2E_REGISTRY/hosts.toml"
	sub "$here/conf/containerd/mirror.toml" "$state/containerd/certs.d/gcr.io/hosts.toml"
	sub "$here/conf/cni/10-e2e.conflist" "$state/cni/net.d/10-e2e.conflist"
	[[ -f $state/pki/interceptors.crt ]] || "$here/certs.sh" "$state"
	local tekton triggers
	tekton=$(cd "$here/upstream/pipeline" && go list -m -f '{{.Dir}}' github.com/tektoncd/pipeline)
	triggers=$(cd "$here/upstream/triggers" && go list -m -f '{{.Dir}}' github.com/tektoncd/triggers)
	python3 "$here/manifests.py" "$tekton" "$triggers" https://127.0.0.1:8443 >"$state/conf/tekton.yaml"
}

# img NAME: the reference by digest up() pushed for one of Tekton's images.
img() { grep "/$1@" "$state/images.txt"; }

start() { # name command...
	local name=$1; shift
	nohup "$@" >"$state/logs/$name.log" 2>&1 &
	echo $! >"$state/run/$name.pid"
}

up() {
	# Right after a down, a kubelet mount may still be going away: unmount
	# what is left under the state directory and retry for a few seconds.
	local dirs=("$state"/{etcd-data,containerd/root,containerd/state,kubelet,podlogs,cni/ipam,registry-blobs,pv}) m
	for _ in 1 2 3 4 5; do
		for m in $(awk -v s="$state/" 'index($2, s) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done
		rm -rf "${dirs[@]}" 2>/dev/null && break
		sleep 1
	done
	rm -rf "${dirs[@]}"
	mkdir -p "$state"/{kubelet,podlogs}
	# The pods' bridge, made before CNI would, so that host services can
	# listen on its address (E2E_HOST_IP) and pods reach them without
	# hostNetwork; nothing outside this machine can.
	ip link show "$E2E_BRIDGE" >/dev/null 2>&1 && ip link delete "$E2E_BRIDGE"
	ip link add "$E2E_BRIDGE" type bridge && ip addr add "$E2E_HOST_IP/24" dev "$E2E_BRIDGE" && ip link set "$E2E_BRIDGE" up
	rm -rf "$state/git" && mkdir -p "$state/git"
	# git-daemon itself, not `git daemon`: the wrapper would be what the PID
	# file names, and its child can outlive it.
	start git-daemon "$(git --exec-path)/git-daemon" --reuseaddr --export-all --base-path="$state/git" \
		--listen="$E2E_HOST_IP" --port=9418 "$state/git"
	start registry "$bin/registry" "$E2E_REGISTRY" "$state/registry-blobs"
	wait_for 20 curl -sf "http://$E2E_REGISTRY/v2/"
	"$bin/mkimg" "$E2E_REGISTRY/pause:1" /pause "$bin/pause:/pause" >/dev/null
	: >"$state/images.txt"
	for b in entrypoint nop workingdirinit sidecarlogresults; do
		"$bin/mkimg" "$E2E_REGISTRY/tekton/$b:v1.9.0" "/ko-app/$b" "$bin/$b:/ko-app/$b" >>"$state/images.txt"
	done
	local args=(/bin/busybox:/bin/busybox) a
	for a in $(busybox --list); do [[ $a == busybox ]] || args+=("symlink:/bin/$a:/bin/busybox"); done
	"$bin/mkimg" "$E2E_REGISTRY/busybox:1" /bin/sh "$(command -v busybox):/bin/busybox" "${args[@]:1}" >>"$state/images.txt"

	start etcd etcd --name e2e --data-dir "$state/etcd-data" \
		--listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
		--listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
		--initial-cluster e2e=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381
	wait_for 30 curl -sf http://127.0.0.1:2379/health
	local p=$state/pki
	start apiserver "$bin/kube-apiserver" --etcd-servers=http://127.0.0.1:2379 \
		--bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port=6443 \
		--tls-cert-file="$p/apiserver.crt" --tls-private-key-file="$p/apiserver.key" --client-ca-file="$p/ca.crt" \
		--kubelet-client-certificate="$p/admin.crt" --kubelet-client-key="$p/admin.key" \
		--service-account-key-file="$p/sa.pub" --service-account-signing-key-file="$p/sa.key" \
		--service-account-issuer=https://kubernetes.default.svc --service-cluster-ip-range=10.0.0.0/24 \
		--authorization-mode=Node,RBAC --anonymous-auth=false --allow-privileged=true \
		--enable-priority-and-fairness=false --profiling=false --kubelet-preferred-address-types=Hostname,InternalIP
	wait_for 60 kubectl get --raw /readyz
	start containerd containerd --config "$state/conf/containerd.toml"
	wait_for 30 test -S "$state/run/containerd.sock"
	start kubelet "$bin/kubelet" --config="$state/conf/kubelet-config.yaml" --kubeconfig="$KUBECONFIG" \
		--root-dir="$state/kubelet" --cert-dir="$state/kubelet/pki" --hostname-override=localhost --v=1
	start kcm "$bin/kube-controller-manager" --kubeconfig="$KUBECONFIG" --authentication-kubeconfig="$KUBECONFIG" \
		--authorization-kubeconfig="$KUBECONFIG" --bind-address=127.0.0.1 --leader-elect=false \
		--service-account-private-key-file="$p/sa.key" --root-ca-file="$p/ca.crt" \
		--controllers='*,-nodeipam,-service-lb-controller,-cloud-node-lifecycle'
	start scheduler "$bin/kube-scheduler" --kubeconfig="$KUBECONFIG" --authentication-kubeconfig="$KUBECONFIG" \
		--authorization-kubeconfig="$KUBECONFIG" --bind-address=127.0.0.1 --leader-elect=false
	wait_for 90 kubectl wait --for=condition=Ready node/localhost --timeout=1s
	wait_for 60 kubectl get sa default -n default
	# ClusterInterceptors are refused until their CRD is established.
	kubectl apply -f "$state/conf/tekton.yaml" >/dev/null 2>&1 || true
	kubectl wait --for=condition=Established crd --all --timeout=60s >/dev/null
	kubectl apply -f "$state/conf/tekton.yaml" >/dev/null
	if [ -n "${E2E_TEKTON_FLAGS:-}" ]; then
		kubectl patch configmap feature-flags -n tekton-pipelines --type merge -p "{\"data\": $E2E_TEKTON_FLAGS}" >/dev/null
	fi
	SYSTEM_NAMESPACE=tekton-pipelines KUBERNETES_MIN_VERSION=v1.28.0 \
		CONFIG_DEFAULTS_NAME=config-defaults CONFIG_LOGGING_NAME=config-logging \
		CONFIG_OBSERVABILITY_NAME=config-observability CONFIG_FEATURE_FLAGS_NAME=feature-flags \
		CONFIG_LEADERELECTION_NAME=config-leader-election-controller CONFIG_SPIRE=config-spire \
		METRICS_DOMAIN=tekton.dev/pipeline PROBES_PORT=18080 \
		start tekton-controller "$bin/controller" --kubeconfig="$KUBECONFIG" -disable-ha \
		-entrypoint-image "$(img tekton/entrypoint)" -nop-image "$(img tekton/nop)" \
		-sidecarlogresults-image "$(img tekton/sidecarlogresults)" -workingdirinit-image "$(img tekton/workingdirinit)" \
		-shell-image "$(img busybox)" -shell-image-win "$(img busybox)"
	wait_for 30 curl -sf http://127.0.0.1:18080/readiness
	# Tekton's resolvers (hub, git, bundles, cluster, http); nothing of
	# ours needs the hub one (Tekton Hub is gone).
	SYSTEM_NAMESPACE=tekton-pipelines-resolvers KUBERNETES_MIN_VERSION=v1.28.0 \
		CONFIG_LOGGING_NAME=config-logging CONFIG_OBSERVABILITY_NAME=config-observability \
		CONFIG_FEATURE_FLAGS_NAME=feature-flags CONFIG_LEADERELECTION_NAME=config-leader-election-resolvers \
		METRICS_DOMAIN=tekton.dev/resolution PROFILING_PORT=18010 METRICS_PROMETHEUS_PORT=19091 \
		TEKTON_HUB_API= ARTIFACT_HUB_API= \
		start resolvers "$bin/resolvers" --kubeconfig="$KUBECONFIG"
	# Ready when each of its five resolvers holds its lease (its knative
	# probe server insists on :8080).
	wait_for 60 resolvers_ready
	triggers
	storage
}

# A default StorageClass without a provisioner and hostPath PersistentVolumes
# for it, made world-writable as a provisioner's would be for pods running
# under any UID: each PipelineRun's volumeClaimTemplate binds one.
storage() {
	{
		echo "apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: e2e-hostpath
  annotations: {storageclass.kubernetes.io/is-default-class: \"true\"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Retain"
		local i
		for i in $(seq 1 "$E2E_PVS"); do
			mkdir -p "$state/pv/pv-$i" && chmod 0777 "$state/pv/pv-$i"
			echo "---
apiVersion: v1
kind: PersistentVolume
metadata: {name: e2e-pv-$i}
spec:
  storageClassName: e2e-hostpath
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: $state/pv/pv-$i, type: Directory}"
		done
	} | kubectl apply -f - >/dev/null
}

resolvers_ready() { [[ $(kubectl get lease -n tekton-pipelines-resolvers -o name | grep -c tektonresolverframework) -ge 5 ]]; }

# Tekton Triggers: the core interceptors (TLS on :8443, their hard-coded
# port) and the controller. The controller creates each EventListener's
# Deployment; its pod could not reach the apiserver from the pod network,
# so the tests run the sink as a host process with the Deployment's own
# args (el-sink.sh).
triggers() {
	local p=$state/pki
	kubectl -n tekton-pipelines create secret generic tekton-triggers-core-interceptors-certs \
		--from-file=server-key.pem="$p/interceptors.key" --from-file=server-cert.pem="$p/interceptors.crt" \
		--from-file=ca-cert.pem="$p/ca.crt" >/dev/null
	"$bin/mkimg" "$E2E_REGISTRY/tekton/eventlistenersink:v0.35.0" /ko-app/eventlistenersink \
		"$bin/triggers/eventlistenersink:/ko-app/eventlistenersink" >>"$state/images.txt"
	(
		export SYSTEM_NAMESPACE=tekton-pipelines CONFIG_LOGGING_NAME=config-logging-triggers \
			CONFIG_OBSERVABILITY_NAME=config-observability-triggers METRICS_DOMAIN=tekton.dev/triggers \
			KUBERNETES_MIN_VERSION=v1.28.0
		INTERCEPTOR_TLS_SVC_NAME=tekton-triggers-core-interceptors \
			INTERCEPTOR_TLS_SECRET_NAME=tekton-triggers-core-interceptors-certs \
			METRICS_PROMETHEUS_PORT=19093 PROFILING_PORT=18011 \
			start triggers-interceptors "$bin/triggers/interceptors" --kubeconfig="$KUBECONFIG"
		CONFIG_DEFAULTS_NAME=config-defaults-triggers CONFIG_LEADERELECTION_NAME=config-leader-election-triggers-controllers \
			METRICS_PROMETHEUS_PORT=19094 PROFILING_PORT=18012 \
			start triggers-controller "$bin/triggers/controller" --kubeconfig="$KUBECONFIG" \
			-el-image "$(img tekton/eventlistenersink)" -el-port 8080 -el-security-context=true \
			-el-read-only-root-filesystem=true -el-events disable -el-readtimeout 5 -el-writetimeout 40 \
			-el-idletimeout 120 -el-timeouthandler 30 -el-httpclient-readtimeout 30 -el-httpclient-keep-alive 30 \
			-el-httpclient-tlshandshaketimeout 10 -el-httpclient-responseheadertimeout 10 \
			-el-httpclient-expectcontinuetimeout 1 -period-seconds 10 -failure-threshold 3
	)
	wait_for 60 curl -sf --cacert "$p/ca.crt" https://127.0.0.1:8443/ready
	wait_for 60 test -n "$(kubectl get clusterinterceptor github -o jsonpath='{.spec.clientConfig.caBundle}')"
}

phase "build (Kubernetes $K8S_VERSION, Tekton Pipelines v1.9.0, Triggers v0.35.0, tkn v0.44.0, git-init v0.40.2)" build
phase "configure" render
trap 'phase down "$here/down.sh" "$state"' EXIT
trap 'exit 130' INT TERM
phase "cluster up" up
# E2E_RUN=regexp runs only the matching tests (go test -run).
# Test temp dirs (BIND's among them) under the state, so that down.sh
# reaps whatever a killed test left running.
rm -rf "$state/tmp" && mkdir -p "$state/tmp"
phase "tests" env TMPDIR="$state/tmp" go test -tags e2e -count=1 -timeout 30m -v ${E2E_RUN:+-run "$E2E_RUN"} "$root/test/e2e/"

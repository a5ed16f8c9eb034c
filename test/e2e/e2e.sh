#!/usr/bin/env bash
# make e2e: a real single-node Kubernetes and Tekton Pipelines on loopback,
# our images built by ko into a registry on 127.0.0.1, then the e2e tests
# (test/e2e/*_test.go, build tag e2e) against it, then everything down,
# also when a test fails or the run is interrupted. Needs root and the
# Debian packages listed in docs/e2e.md. State lives in $E2E_STATE
# (default build/e2e); logs in $E2E_STATE/logs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export E2E_STATE=${E2E_STATE:-$root/build/e2e}
export E2E_REGISTRY=${E2E_REGISTRY:-127.0.0.1:5000}
export KUBECONFIG=$E2E_STATE/kubeconfig
state=$E2E_STATE
bin=$state/bin
K8S_VERSION=v1.34.4
export PATH="$bin:$PATH:/usr/sbin:/sbin"

t0=$(date +%s)
phase() { local s=$(date +%s); echo "== $1"; shift; "$@"; local rc=$?; echo "== $(( $(date +%s) - s ))s (total $(( $(date +%s) - t0 ))s)"; return $rc; }
wait_for() { local n=$1; shift; for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done; echo "e2e: timed out waiting for: $*" >&2; return 1; }

[[ $(id -u) == 0 ]] || { echo "e2e: needs root (containerd, kubelet, mounts)" >&2; exit 2; }
for c in etcd containerd runc iptables openssl kubectl busybox python3; do
	command -v "$c" >/dev/null || { echo "e2e: $c is missing (docs/e2e.md lists the Debian packages)" >&2; exit 2; }
done
[[ -x /usr/lib/cni/bridge ]] || { echo "e2e: CNI plugins missing (containernetworking-plugins)" >&2; exit 2; }

# Builds at pinned versions, reused while the throwaway modules are unchanged.
build() {
	mkdir -p "$bin"
	local stamp=$bin/.built
	local sum; sum=$(cat "$here"/kbuild/go.sum "$here"/tbuild/go.sum "$here"/tools/go.sum "$here"/tools/*/main.go | sha256sum | cut -c1-16)
	if [[ -f $stamp && $(cat "$stamp") == "$sum" ]]; then echo "cluster binaries cached in $bin"; return; fi
	local min=${K8S_VERSION#v1.}; min=${min%%.*}
	local ld="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$min -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$min"
	(cd "$here/kbuild" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "$ld" -o "$bin/" \
		k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubelet \
		k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
	(cd "$here/tbuild" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$bin/" \
		github.com/tektoncd/pipeline/cmd/controller github.com/tektoncd/pipeline/cmd/entrypoint \
		github.com/tektoncd/pipeline/cmd/nop github.com/tektoncd/pipeline/cmd/workingdirinit \
		github.com/tektoncd/pipeline/cmd/sidecarlogresults)
	(cd "$here/tools" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$bin/" ./registry ./mkimg ./pause)
	echo "$sum" >"$stamp"
}

render() {
	local bridge=plbr0
	mkdir -p "$state"/{conf,run,logs,pki,kubelet,podlogs,cni/net.d,containerd/certs.d/$E2E_REGISTRY}
	sub() { sed -e "s#@STATE@#$state#g" -e "s#@REG@#$E2E_REGISTRY#g" -e "s#@BRIDGE@#$bridge#g" "$1" >"$2"; }
	sub "$here/conf/kubelet-config.yaml" "$state/conf/kubelet-config.yaml"
	sub "$here/conf/containerd/config.toml" "$state/conf/containerd.toml"
	sub "$here/conf/containerd/hosts.toml" "$state/containerd/certs.d/$E2E_REGISTRY/hosts.toml"
	sub "$here/conf/cni/10-e2e.conflist" "$state/cni/net.d/10-e2e.conflist"
	[[ -f $state/pki/ca.crt ]] || "$here/certs.sh" "$state"
	local tekton; tekton=$(cd "$here/tbuild" && go list -m -f '{{.Dir}}' github.com/tektoncd/pipeline)
	python3 "$here/tekton-manifests.py" "$tekton" >"$state/conf/tekton.yaml"
}

start() { # name command...
	local name=$1; shift
	nohup "$@" >"$state/logs/$name.log" 2>&1 &
	echo $! >"$state/run/$name.pid"
}

up() {
	rm -rf "$state"/{etcd-data,containerd/root,containerd/state,kubelet,podlogs,cni/ipam,registry-blobs,pv}
	mkdir -p "$state"/{kubelet,podlogs}
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
	kubectl apply -f "$state/conf/tekton.yaml" >/dev/null
	wait_for 30 kubectl get crd taskruns.tekton.dev -o jsonpath='{.status.acceptedNames.kind}'
	img() { grep "/$1@" "$state/images.txt"; }
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
}

phase "build cluster binaries (Kubernetes $K8S_VERSION, Tekton Pipelines v1.9.0)" build
phase "configure" render
trap '"$here/down.sh" "$state"' EXIT
trap 'exit 130' INT TERM
phase "cluster up" up
phase "tests" go test -tags e2e -count=1 -timeout 30m -v "$root/test/e2e/"

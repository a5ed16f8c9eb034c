#!/usr/bin/env bash
# A throwaway PKI and kubeconfig for the loopback cluster, under STATE.
set -euo pipefail
state=$1
d=$state/pki
mkdir -p "$d"
cd "$d"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=plumbline-e2e-ca" 2>/dev/null
mk() { # name subject [subjectAltName]
	openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
	printf "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n%s\n" "${3:+subjectAltName=$3}" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 3650 -extfile "$1.ext" 2>/dev/null
}
mk apiserver "/CN=kube-apiserver" "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:127.0.0.1,IP:10.0.0.1"
mk admin "/O=system:masters/CN=admin"
mk kubelet "/CN=localhost" "DNS:localhost,IP:127.0.0.1"
# Triggers' core interceptors serve TLS; the sink trusts the CA they copy into the ClusterInterceptors.
s=tekton-triggers-core-interceptors.tekton-pipelines
mk interceptors "/CN=tekton-triggers-core-interceptors" "IP:127.0.0.1,DNS:localhost,DNS:$s,DNS:$s.svc,DNS:$s.svc.cluster.local"
openssl genrsa -out sa.key 2048 2>/dev/null
openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
k=$state/kubeconfig
kubectl config --kubeconfig="$k" set-cluster e2e --server=https://127.0.0.1:6443 --certificate-authority="$d/ca.crt" --embed-certs >/dev/null
kubectl config --kubeconfig="$k" set-credentials admin --client-certificate="$d/admin.crt" --client-key="$d/admin.key" --embed-certs >/dev/null
kubectl config --kubeconfig="$k" set-context e2e --cluster=e2e --user=admin >/dev/null
kubectl config --kubeconfig="$k" use-context e2e >/dev/null

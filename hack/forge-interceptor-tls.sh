#!/usr/bin/env bash
# Gives the Gitea/Forgejo interceptor (triggers/forge-interceptor/) its
# TLS certificate and registers it with Tekton Triggers as the
# ClusterInterceptor plumbline-forge. Idempotent: a certificate already in
# the Secret is kept (delete the Secret and run again to renew it).
#
# The certificate is signed by a CA made here for the Service's names (and
# 127.0.0.1, for a port-forward or an interceptor run on the host), valid
# ten years;
# its CA is the caBundle the EventListeners trust, and its key is thrown
# away once the certificate is signed. The ClusterInterceptor carries the
# label server/type=https *and* the caBundle: Triggers' EventListeners stop
# if an https ClusterInterceptor has no caBundle, so never apply one
# without the other.
#
# usage: hack/forge-interceptor-tls.sh [NAMESPACE]      (default plumbline)
#        hack/forge-interceptor-tls.sh --print CA_FILE  (the ClusterInterceptor only, for tests)
# FORGE_INTERCEPTOR_URL=https://host:port points the ClusterInterceptor at
# that URL instead of the Service (make e2e runs the interceptor on the host).
set -euo pipefail
svc=plumbline-forge-interceptor
secret=$svc-tls

clusterinterceptor() { # namespace ca-file
	local ca
	ca=$(base64 -w0 <"$2")
	cat <<YAML
apiVersion: triggers.tekton.dev/v1alpha1
kind: ClusterInterceptor
metadata:
  name: plumbline-forge
  labels:
    server/type: https
    app.kubernetes.io/part-of: plumbline
spec:
  clientConfig:
    caBundle: $ca
YAML
	if [[ -n ${FORGE_INTERCEPTOR_URL:-} ]]; then
		printf '    url: %s\n' "$FORGE_INTERCEPTOR_URL"
	else
		printf '    service:\n      name: %s\n      namespace: %s\n      port: 8443\n' "$svc" "$1"
	fi
}

if [[ ${1:-} == --print ]]; then
	clusterinterceptor plumbline "${2:?usage: $0 --print CA_FILE}"
	exit 0
fi
ns=${1:-plumbline}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if kubectl -n "$ns" get secret "$secret" >/dev/null 2>&1; then
	echo "forge-interceptor-tls: keeping the certificate in secret/$secret"
	kubectl -n "$ns" get secret "$secret" -o jsonpath='{.data.ca\.crt}' | base64 -d >"$tmp/ca.crt"
else
	echo "forge-interceptor-tls: making a certificate for $svc.$ns.svc into secret/$secret"
	(
		cd "$tmp"
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 \
			-subj "/CN=plumbline-forge-interceptor-ca" 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -keyout tls.key -out tls.csr -subj "/CN=$svc.$ns.svc" 2>/dev/null
		printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s,DNS:%s.%s,DNS:%s.%s.svc,DNS:%s.%s.svc.cluster.local,IP:127.0.0.1\n' \
			"$svc" "$svc" "$ns" "$svc" "$ns" "$svc" "$ns" >tls.ext
		openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out tls.crt -days 3650 -extfile tls.ext 2>/dev/null
	)
	kubectl -n "$ns" create secret generic "$secret" --type=kubernetes.io/tls \
		--from-file=tls.crt="$tmp/tls.crt" --from-file=tls.key="$tmp/tls.key" --from-file=ca.crt="$tmp/ca.crt"
fi
echo "forge-interceptor-tls: applying clusterinterceptor/plumbline-forge"
clusterinterceptor "$ns" "$tmp/ca.crt" | kubectl apply -f -

#!/bin/sh
# Writes test/corpus/charts from bare mirrors of public chart repositories
# (the fetch tool of the development machines puts them in /work/.mirror):
# each chart source directory at the commit named here, with its
# repository's licence file and a COMMIT file. pkg/helm's oracle test
# renders every one in process and with the helm CLI and wants the same
# bytes. Run from the module root; the result is committed.
set -eu
mirror=${MIRROR:-/work/.mirror}
out=test/corpus/charts
rm -rf "$out"
mkdir -p "$out"

# chart NAME OWNER+REPO COMMIT LICENCE PATH: the chart at PATH as NAME.
chart() {
	name=$1 repo=$2 commit=$3 licence=$4 dir=$5
	git_dir="$mirror/$repo/repo"
	tmp=$(mktemp -d)
	git -C "$git_dir" archive --format=tar "$commit" "$licence" "$dir" | tar -x -C "$tmp"
	mv "$tmp/$dir" "$out/$name"
	mv "$tmp/$licence" "$out/$name/LICENSE.source"
	printf '%s %s\n' "$repo" "$(git -C "$git_dir" rev-parse "$commit")" >"$out/$name/COMMIT.source"
	rm -rf "$tmp"
}

p=prometheus-community+helm-charts
chart alertmanager $p cf408a290a LICENSE charts/alertmanager
chart kube-state-metrics $p cf408a290a LICENSE charts/kube-state-metrics
chart prometheus-blackbox-exporter $p cf408a290a LICENSE charts/prometheus-blackbox-exporter
chart prometheus-node-exporter $p cf408a290a LICENSE charts/prometheus-node-exporter
chart prometheus-postgres-exporter $p cf408a290a LICENSE charts/prometheus-postgres-exporter
chart prometheus-pushgateway $p cf408a290a LICENSE charts/prometheus-pushgateway
chart prometheus-smartctl-exporter $p cf408a290a LICENSE charts/prometheus-smartctl-exporter
chart prometheus-snmp-exporter $p cf408a290a LICENSE charts/prometheus-snmp-exporter
chart grafana grafana-community+helm-charts 3386a11561 LICENSE charts/grafana
chart promtail grafana+helm-charts 7a0ab96896 LICENSE charts/promtail
chart ingress-nginx kubernetes+ingress-nginx dbb11b92dd LICENSE charts/ingress-nginx
chart external-dns kubernetes-sigs+external-dns 2bf1bf8af2 LICENSE.md charts/external-dns
chart metallb metallb+metallb 7938d3f89b LICENSE charts/metallb
chart uptime-kuma dirsigler+uptime-kuma-helm d16bc4c8d5 LICENSE charts/uptime-kuma
chart longhorn longhorn+longhorn bb2f2223a6 LICENSE chart
chart traefik traefik+traefik-helm-chart a8a66d0098 LICENSE traefik
chart metrics-server kubernetes-sigs+metrics-server 5ed5d3a2cf LICENSE charts/metrics-server
chart reloader stakater+Reloader 655a2b3814 LICENSE deployments/kubernetes/chart/reloader
chart sealed-secrets bitnami-labs+sealed-secrets 86671a8851 LICENSE helm/sealed-secrets
chart cert-manager cert-manager+cert-manager 2d0d7f7f74 LICENSE deploy/charts/cert-manager
chart podinfo stefanprodan+podinfo eec06d1ea4 LICENSE charts/podinfo
# app-template takes the common library chart from a chart repository:
# vendored as `helm dependency build` would (its charts/ directory), from
# the same repository's source.
chart app-template bjw-s-labs+helm-charts dfaf83d12a LICENSE charts/other/app-template
mkdir -p "$out/app-template/charts/common"
git -C "$mirror/bjw-s-labs+helm-charts/repo" archive --format=tar dfaf83d12a:charts/library/common |
	tar -x -C "$out/app-template/charts/common"
find "$out" -type l -delete

#!/bin/sh
# Writes test/corpus/repos from bare mirrors of public repositories (the
# fetch tool of the development machines puts them in /work/.mirror):
# each repository at the commit named here, pruned to what the corpus
# test checks, with its licence file. Run from the module root; the
# result is committed, so tests and CI need no network.
set -eu
mirror=${MIRROR:-/work/.mirror}
out=test/corpus/repos
rm -rf "$out"
mkdir -p "$out"

# take OWNER+NAME COMMIT LICENSE PATH... : git archive of PATHs at COMMIT.
take() {
	name=$1 commit=$2 licence=$3
	shift 3
	git_dir="$mirror/$name/repo"
	mkdir -p "$out/$name"
	git -C "$git_dir" archive --format=tar "$commit" "$licence" "$@" | tar -x -C "$out/$name"
	printf '%s\n' "$(git -C "$git_dir" rev-parse "$commit")" >"$out/$name/COMMIT"
}

take techno-tim+k3s-ansible 422621c LICENSE .ansible-lint ansible.example.cfg collections example galaxy.yml inventory molecule reboot.yml reset.yml requirements.in roles site.yml templates
take onedr0p+home-ops d9078e4dd5 LICENSE kubernetes bootstrap
take khuedoan+homelab cb046acf LICENSE.md apps platform system metal external
take fluxcd+flux2-kustomize-helm-example 4f1a5b1 LICENSE apps clusters infrastructure
take fluxcd+flux2-multi-tenancy 192da05 LICENSE clusters infrastructure tenants
take prometheus-operator+kube-prometheus 4d719f1d LICENSE manifests
# The six largest CRDs and the Grafana dashboards are 5 MB of the 5.6:
# those kinds are then unchecked, a note. The root kustomization.yaml,
# which lists them, is left out with them: the manifests are read plain.
(cd "$out/prometheus-operator+kube-prometheus/manifests" && rm -f grafana-dashboardDefinitions.yaml \
	setup/0prometheusCustomResourceDefinition.yaml setup/0alertmanagerConfigCustomResourceDefinition.yaml \
	setup/0prometheusagentCustomResourceDefinition.yaml setup/0scrapeconfigCustomResourceDefinition.yaml \
	setup/0alertmanagerCustomResourceDefinition.yaml setup/0thanosrulerCustomResourceDefinition.yaml)
take bpg+terraform-provider-proxmox d6bd1ffe LICENSE example
take Telmate+terraform-provider-proxmox 225e289 LICENSE docs/examples
take terraform-aws-modules+terraform-aws-rds fa183b6 LICENSE main.tf variables.tf outputs.tf versions.tf modules examples/README.md examples/blue-green-deployment examples/complete-mssql examples/complete-mysql examples/complete-oracle examples/complete-postgres examples/cross-region-replica-postgres examples/enhanced-monitoring examples/groups examples/replica-mysql examples/replica-postgres examples/role-association-postgres
# examples/s3-import-mysql holds a backup.zip the mirror does not keep: left out.
take onedr0p+cluster-template ae732464 LICENSE .github template cluster.sample.toml makejinja.toml
# Plain kustomize applications (Deployments, Services, routes), where the
# wiring rules (k8s/service-no-pods, k8s/backend-no-service) have builds
# to judge: the Flux and ArgoCD repositories above make theirs with Helm.
take stefanprodan+podinfo eec06d1ea4 LICENSE kustomize deploy
take GoogleCloudPlatform+microservices-demo 34ffea9175 LICENSE kustomize kubernetes-manifests
du -sh "$out"

# Zones: the test zone files of BIND, NSD, PowerDNS, ldns, dnscontrol and
# Knot, each with its zone (test/corpus/zones/pairs.tsv), licence and
# commit (hack/corpus/zonepairs.py says where each zone's name comes from).
python3 hack/corpus/zonepairs.py "$mirror" test/corpus/zones
du -sh test/corpus/zones

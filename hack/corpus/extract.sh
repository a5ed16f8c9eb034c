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
du -sh "$out"

# Zones: every zone file of BIND's system tests that a test's named.conf
# names with its zone (408 pairs), and the files they $INCLUDE; the zone
# of each in test/corpus/zones/pairs.tsv. MPL-2.0 (COPYING).
zones=test/corpus/zones
rm -rf "$zones"
mkdir -p "$zones/bind9"
bind="$mirror/isc-projects+bind9/repo"
tmp=$(mktemp -d)
git -C "$bind" archive --format=tar bf74540 bin/tests/system 2>/dev/null | tar -x -C "$tmp" || true
python3 hack/corpus/zonepairs.py "$tmp" >"$zones/pairs.tsv"
cut -f1 "$zones/pairs.tsv" | while read -r f; do
	mkdir -p "$zones/bind9/$(dirname "$f")"
	cp "$tmp/$f" "$zones/bind9/$f"
	# and what it includes, beside it
	sed -n 's/^\$INCLUDE[ \t]*"\{0,1\}\([^" \t]*\).*/\1/p' "$tmp/$f" | while read -r inc; do
		if [ -f "$tmp/$(dirname "$f")/$inc" ]; then
			cp "$tmp/$(dirname "$f")/$inc" "$zones/bind9/$(dirname "$f")/$inc"
		fi
	done
done
git -C "$bind" show bf74540:COPYING >"$zones/bind9/COPYING"
git -C "$bind" show bf74540:LICENSE >"$zones/bind9/LICENSE"
git -C "$bind" rev-parse bf74540 >"$zones/bind9/COMMIT"
rm -rf "$tmp"
du -sh "$zones"

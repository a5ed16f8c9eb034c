#!/usr/bin/env bash
# Installs what `make test` needs and can install by itself on a fresh
# Debian machine (CI runs as root with Debian's packages reachable). Each
# check adds the packages its real-tool tests need to APT_PACKAGES.
#
# Exit 0: everything is there, so make test runs every test and a skipped
# one fails (PLUMBLINE_NEED_ALL). Exit 3 (not root, so nothing can be
# installed): it says what is missing and which tests skip for it, and
# make test runs the rest. Exit 2: the machine cannot run the tests (Go,
# terraform) or an install failed.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

# command:package pairs; SKIPS says which tests skip without each.
APT_PACKAGES=(
	ansible-lint:ansible-lint # ansible-lint-check's tests run the real one (6.13 on bookworm)
	ansible-community:ansible # its collections (community.general, ...): linted as installed, and as missing
	named:bind9               # dns-zone-diff's tests transfer zones from a real BIND
	ldns-compare-zones:ldnsutils # the peer dns-zone-diff is benchmarked and corpus-checked against
	qemu-aarch64-static:qemu-user-static # the image tests run each arm64 image's binary
	debootstrap:debootstrap # the image tests' ansible-lint base (hack/bases.sh)
	pre-commit:pre-commit   # test/precommit runs the hooks with Debian's pre-commit (3.0.4 on bookworm)
)
declare -A SKIPS=(
	[ansible-lint]="pkg/ansiblelint (the real-tool tests), test/hostile (the ansible-lint attacks)"
	[ansible]="pkg/ansiblelint TestMissingCollectionLintsAsInstalled fails"
	[bind9]="pkg/dnszone (AXFR from a real named, the named-compilezone differential tests), test/corpus (the 1,000-zone harness)"
	[ldnsutils]="test/corpus TestZonesAsBIND's cross-check of edited zones (the rest of it runs); bench/ fails"
	[qemu-user-static]="test/images (arm64)"
	[debootstrap]="test/images"
	[pre-commit]="test/precommit"
)
# `hack/deps.sh e2e` (make e2e): what the loopback cluster runs on.
if [[ ${1:-} == e2e ]]; then
	APT_PACKAGES+=(
		etcd:etcd-server containerd:containerd runc:runc iptables:iptables
		/usr/lib/cni/bridge:containernetworking-plugins busybox:busybox-static
		git:git ip:iproute2 openssl:openssl curl:curl
	)
fi

need_go=1.26
have_go=$(go env GOVERSION 2>/dev/null | sed 's/^go//')
if [[ -z $have_go ]] || [[ $(printf '%s\n%s\n' "$need_go" "$have_go" | sort -V | head -n1) != "$need_go" ]]; then
	echo "deps: Go $need_go or newer is required (found '${have_go:-none}')" >&2
	exit 2
fi

# terraform-validate's tests drive the real binary. Neither terraform nor
# tofu is packaged by Debian or go-installable (replace directives), so it
# must already be on PATH (it is on our machines and CI).
if ! command -v terraform >/dev/null && ! command -v tofu >/dev/null && [[ -z ${PLUMBLINE_TERRAFORM:-} ]]; then
	echo "deps: terraform (1.x) or tofu must be on PATH for the terraform-validate tests" >&2
	exit 2
fi

missing=()
for pair in "${APT_PACKAGES[@]}"; do
	command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if ((${#missing[@]})); then
	if [[ $(id -u) != 0 ]]; then
		echo "deps: not root, so not installing: ${missing[*]} (apt-get install them to run everything)" >&2
		for p in "${missing[@]}"; do echo "deps:   without $p these skip: ${SKIPS[$p]:-?}" >&2; done
		[[ ${1:-} == e2e ]] && exit 2
	else
		echo "deps: installing ${missing[*]}"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
	fi
fi
# make e2e renders Tekton's manifests with PyYAML.
if [[ ${1:-} == e2e ]] && ! python3 -c 'import yaml' 2>/dev/null; then
	[[ $(id -u) == 0 ]] || { echo "deps: python3 cannot import yaml; install python3-yaml" >&2; exit 2; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-yaml
fi
if [[ $(id -u) != 0 ]]; then
	[[ ${1:-} == e2e ]] && { echo "deps: make e2e runs a cluster: it needs root" >&2; exit 2; }
	echo "deps: not root: test/images skips (it runs the images under chroot and namespaces)" >&2
	exit 3
fi

#!/usr/bin/env bash
# Builds the root filesystem of the ansible-lint-check base image for the
# image tests, which cannot pull one: a minimal Debian (debootstrap
# --variant=minbase) with Debian's ansible-lint, five collections of Debian's
# ansible package and a nonroot user (65532).
# The result is a tarball cached under build/bases; delete it to rebuild.
# Needs root and Debian's package mirror.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build/bases/ansible-lint-rootfs.tar}
suite=${SUITE:-bookworm}
mirror=${MIRROR:-http://deb.debian.org/debian}

[[ -s $out ]] && { echo "bases: $out exists"; exit 0; }
mkdir -p "$(dirname "$out")"
work=$(mktemp -d "$(dirname "$out")/rootfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
fs=$work/fs

echo "bases: debootstrap $suite into $fs"
debootstrap --variant=minbase "$suite" "$fs" "$mirror" >"$work/log" 2>&1 || { tail -20 "$work/log"; exit 2; }
echo "bases: apt-get install ansible-lint ansible"
chroot "$fs" apt-get install -y -q --no-install-recommends ansible-lint ansible >>"$work/log" 2>&1 || { tail -20 "$work/log"; exit 2; }
chroot "$fs" apt-get clean
# Of Debian's ansible package (7.7), only the collections homelab
# repositories use most (docs/ansible-lint-check.md): the rest is 450 MB.
# Their tests and docs are not needed to lint against them.
keep=(ansible/posix community/general community/docker community/crypto kubernetes/core)
coll=$fs/usr/lib/python3/dist-packages/ansible_collections
for ns in "$coll"/*/; do
	for c in "$ns"*/; do
		c=${c%/}
		rel=${c#"$coll"/}
		if [[ " ${keep[*]} " != *" $rel "* ]]; then
			rm -rf "$c"
		fi
	done
	rmdir --ignore-fail-on-non-empty "${ns%/}"
done
for c in "${keep[@]}"; do
	[[ -d $coll/$c ]] || { echo "bases: $c not in Debian's ansible package" >&2; exit 2; }
	rm -rf "$coll/$c/tests" "$coll/$c/docs" "$coll/$c/changelogs"
done
rm -f "$fs/usr/bin/ansible-community"
# Bytecode Python takes as it is (PEP 552's unchecked hash). The layer is
# archived with every mtime 0, so the .pyc files apt wrote, stamped with
# their sources' mtimes, no longer matched: every start of ansible-lint
# compiled some 730 modules again (0.8 s of its 2.7 s on the example), and
# UID 65532 cannot write them back.
stdlib=$(chroot "$fs" python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
chroot "$fs" python3 -m compileall -q -f -j0 --invalidation-mode unchecked-hash /usr/lib/python3/dist-packages "$stdlib" >>"$work/log" 2>&1 ||
	{ tail -20 "$work/log"; exit 2; }
# What an image does not need: package lists, docs, caches.
rm -rf "$fs"/var/lib/apt/lists/* "$fs"/usr/share/doc/* "$fs"/usr/share/man/* "$fs"/usr/share/info/* \
	"$fs"/var/cache/debconf/*-old "$fs"/var/log/* "$fs"/tmp/*
echo "nonroot:x:65532:65532:nonroot:/home/nonroot:/usr/sbin/nologin" >>"$fs/etc/passwd"
echo "nonroot:x:65532:" >>"$fs/etc/group"
install -d -m 0755 -o 65532 -g 65532 "$fs/home/nonroot"
# Fixed times and order, so the same packages give the same layer; names
# without "./", as image layers have them (a "./var/run" would not shadow
# ko's "var/run" when layers are flattened).
(cd "$fs" && tar --sort=name --mtime=@0 --numeric-owner --one-file-system -cf "$out.tmp" -- $(ls -A))
mv "$out.tmp" "$out"
echo "bases: wrote $out ($(du -h "$out" | cut -f1))"

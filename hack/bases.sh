#!/usr/bin/env bash
# Builds the root filesystem of the ansible-lint-check base image for the
# image tests, which cannot pull one: a minimal Debian (debootstrap
# --variant=minbase) with Debian's ansible-lint and a nonroot user (65532).
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
echo "bases: apt-get install ansible-lint"
chroot "$fs" apt-get install -y -q --no-install-recommends ansible-lint >>"$work/log" 2>&1 || { tail -20 "$work/log"; exit 2; }
chroot "$fs" apt-get clean
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

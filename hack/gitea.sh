#!/usr/bin/env bash
# Builds the Gitea that the forge tests run on loopback (internal/giteatest):
# the server from its release source on the Go module proxy, with SQLite
# (cgo), into build/tools/gitea, and links its options/ and templates/
# (read at run time without the bindata tag) as build/tools/gitea-static.
# About a minute warm, three from empty caches; once.
# usage: hack/gitea.sh OUT_DIR VERSION
set -euo pipefail
out=$1 version=$2
src=$(go mod download -json "code.gitea.io/gitea@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[[ -d $src ]] || { echo "gitea.sh: no source for code.gitea.io/gitea@$version" >&2; exit 2; }
mkdir -p "$out"
# 1.27 needs gitea.dev modules the proxy here does not serve; 1.26 builds.
(cd "$src" && CGO_ENABLED=1 go build -trimpath -tags "sqlite sqlite_unlock_notify" \
	-ldflags "-s -w -X main.Version=${version#v}" -o "$out/gitea.tmp" .)
ln -sfn "$src" "$out/gitea-static"
mv "$out/gitea.tmp" "$out/gitea"

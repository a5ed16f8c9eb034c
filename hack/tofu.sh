#!/usr/bin/env bash
# Builds OpenTofu's CLI from the module proxy into $1 at version $2, for the
# tests that run terraform-validate and terraform-plan against tofu too.
# Its go.mod has replace directives, so `go install` refuses it: it is
# built as the main module from its downloaded source.
set -euo pipefail
out=$1 version=$2
dir=$(go mod download -json "github.com/opentofu/opentofu@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -n "$dir" ] || { echo "tofu.sh: github.com/opentofu/opentofu@$version is not served" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$dir"/. "$tmp"
chmod -R u+w "$tmp"
(cd "$tmp" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$out" ./cmd/tofu)

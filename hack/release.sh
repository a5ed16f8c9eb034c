#!/usr/bin/env bash
# make release VERSION=X.Y: the whole release of one catalog version, signed.
#
#   1. make images, make catalog, make bundles (docs/release.md);
#   2. cosign signs every image (the multi-platform index and each platform,
#      --recursive) and every bundle; with COSIGN_KEY a key file (its
#      password in COSIGN_PASSWORD) and no transparency-log upload, so it
#      works offline; without COSIGN_KEY keyless (OIDC, as in GitHub
#      Actions: .github/workflows/release.yaml);
#   3. attests to each image a SLSA provenance (v1) and the SPDX SBOM ko
#      attached, each as a signed in-toto statement;
#   4. writes the release notes: every image and bundle by digest, the
#      sha256 of each catalog file, and how to verify them.
#
# COSIGN_FLAGS adds flags to every cosign call (the tests pass
# --allow-http-registry for their loopback registry).
set -euo pipefail
: "${VERSION:?set VERSION=X.Y}" "${KO_DOCKER_REPO:?set KO_DOCKER_REPO}"
root=$(cd "$(dirname "$0")/.." && pwd)
cosign=${COSIGN:-$root/build/tools/cosign}
crane=${CRANE:-$root/build/tools/crane}
refs=${IMAGE_REFS:-$root/build/images.txt}
catalog=${CATALOG:-$root/catalog}
out=${RELEASE_DIR:-$root/build/release/$VERSION}
read -r -a extra <<<"${COSIGN_FLAGS:-}"
say() { echo "release: $*"; }

mkdir -p "$out"
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for target in images catalog bundles; do
	say "make $target"
	make --no-print-directory -C "$root" "$target" VERSION="$VERSION" KO_DOCKER_REPO="$KO_DOCKER_REPO" \
		IMAGE_REFS="$refs" CATALOG="$catalog"
done

sign=(--yes)
if [[ -n ${COSIGN_KEY:-} ]]; then
	: "${COSIGN_PASSWORD?set COSIGN_PASSWORD (empty for a key without one)}"
	sign+=(--key "$COSIGN_KEY" --tlog-upload=false)
	say "signing with the key $COSIGN_KEY, offline (no transparency log)"
else
	say "signing keyless (OIDC; Fulcio and Rekor must be reachable)"
fi

bundles=()
for f in "$catalog"/*/*/"$VERSION"/*.yaml; do
	n=$(basename "$f" .yaml)
	b="$KO_DOCKER_REPO/bundles/$n:$VERSION"
	[[ " ${bundles[*]} " == *" $b@"* ]] && continue
	bundles+=("$b@$("$crane" digest "$b")")
done
# ko lists a multi-platform image's index first, then each platform; the
# index is what is signed (--recursive signs the platforms too).
declare -A seen
images=()
while read -r r; do
	[[ -n ${seen[${r%@*}]:-} ]] && continue
	seen[${r%@*}]=1
	images+=("$r")
done <"$refs"

commit=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$root" status --porcelain 2>/dev/null | head -1)
for ref in "${images[@]}"; do
	say "sign, attest provenance and SBOM: $ref"
	"$cosign" sign "${sign[@]}" "${extra[@]}" --recursive "$ref"
	# The provenance says what was built from what, by whom; SLSA v1.
	cat >"$out/provenance.json" <<JSON
{
  "buildDefinition": {
    "buildType": "https://github.com/plumbline/plumbline/hack/release.sh@v1",
    "externalParameters": {"version": "$VERSION", "repository": "https://github.com/plumbline/plumbline", "image": "${ref%@*}"},
    "internalParameters": {"go": "$(go env GOVERSION)", "ko": "$("$root/build/tools/ko" version 2>/dev/null || echo unknown)", "dirty": $([[ -n $dirty ]] && echo true || echo false)},
    "resolvedDependencies": [{"uri": "git+https://github.com/plumbline/plumbline", "digest": {"gitCommit": "$commit"}}]
  },
  "runDetails": {
    "builder": {"id": "${BUILDER_ID:-local:$(hostname)}"},
    "metadata": {"invocationId": "${BUILD_URL:-}", "startedOn": "$started", "finishedOn": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"}
  }
}
JSON
	"$cosign" attest "${sign[@]}" "${extra[@]}" --type slsaprovenance1 --predicate "$out/provenance.json" "$ref"
	if ! "$cosign" download sbom "${extra[@]}" "$ref" >"$out/sbom.spdx.json" 2>"$out/sbom.err"; then
		say "no SBOM attached to $ref (ko --sbom=spdx attaches one):"
		cat "$out/sbom.err" >&2
		exit 2
	fi
	"$cosign" attest "${sign[@]}" "${extra[@]}" --type spdxjson --predicate "$out/sbom.spdx.json" "$ref"
done
for ref in "${bundles[@]}"; do
	say "sign bundle: $ref"
	"$cosign" sign "${sign[@]}" "${extra[@]}" "$ref"
done
rm -f "$out/provenance.json" "$out/sbom.spdx.json" "$out/sbom.err"

# The archives for people without Go or ko (docs/install.md): one per
# platform, each with its SBOM, both signed as blobs (a Sigstore bundle
# beside each file), and SHA256SUMS.
dist=${DIST_DIR:-$root/build/dist}
say "make dist"
make --no-print-directory -C "$root" dist VERSION="$VERSION" DIST_PLATFORMS="${DIST_PLATFORMS:-linux/amd64,linux/arm64}"
for f in "$dist"/plumbline-"$VERSION"-*.tar.gz "$dist"/plumbline-"$VERSION"-*.spdx.json "$dist"/SHA256SUMS; do
	say "sign $(basename "$f")"
	"$cosign" sign-blob "${sign[@]}" --bundle "$f.sigstore.json" "$f" >/dev/null
done

# With a key, make catalog signed every Task and Pipeline for Tekton's
# trusted resources; this VerificationPolicy makes a namespace accept them
# only as signed, fetched from this release's bundles or repository.
if [[ -n ${COSIGN_KEY:-} ]]; then
	pub=$("$cosign" public-key --key "$COSIGN_KEY")
	repo_re=$(printf '%s' "$KO_DOCKER_REPO" | sed 's/[.[\*^$()+?{|]/\\&/g')
	{
		echo "# Tekton trusted resources: apply in a namespace whose TaskRuns and PipelineRuns fetch Plumbline's"
		echo "# Tasks and Pipelines through the bundles or git resolver; those must then carry this release's"
		echo "# signature (StepActions are not verified by Tekton v1.9)."
		echo "apiVersion: tekton.dev/v1alpha1"
		echo "kind: VerificationPolicy"
		echo "metadata:"
		echo "  name: plumbline"
		echo "spec:"
		echo "  resources:"
		echo "    - pattern: '^${repo_re}/bundles/plumbline-'"
		echo "    - pattern: '^git\\+https://github\\.com/plumbline/plumbline'"
		echo "  authorities:"
		echo "    - name: plumbline-release"
		echo "      key:"
		echo "        data: |"
		printf '%s\n' "$pub" | sed 's/^/          /'
		echo "  mode: enforce"
	} >"$out/verification-policy.yaml"
	say "VerificationPolicy for Tekton trusted resources: $out/verification-policy.yaml"
fi

{
	echo "# Plumbline $VERSION"
	echo
	echo "Built from commit \`$commit\`. Every image and bundle is signed with cosign; every image carries a"
	echo "signed SLSA provenance (\`slsaprovenance1\`) and SPDX SBOM (\`spdxjson\`) attestation. Verify:"
	echo
	echo '```'
	echo "cosign verify --key keys/cosign.pub IMAGE@DIGEST"
	echo "cosign verify-attestation --key keys/cosign.pub --type slsaprovenance1 IMAGE@DIGEST"
	echo '```'
	echo
	echo "(add \`--insecure-ignore-tlog=true\` for a key-signed release: it was not uploaded to Rekor)."
	echo
	echo "## Images"
	echo
	for r in "${images[@]}"; do echo "- \`$r\`"; done
	echo
	echo "## Archives (docs/install.md)"
	echo
	echo "Each with its Sigstore bundle (\`FILE.sigstore.json\`): \`cosign verify-blob --key keys/cosign.pub --bundle FILE.sigstore.json FILE\`."
	echo
	echo '```'
	cat "$dist/SHA256SUMS"
	echo '```'
	echo
	echo "## Bundles"
	echo
	for r in "${bundles[@]}"; do echo "- \`$r\`"; done
	echo
	echo "## Catalog files (sha256, for the http resolver's \`digest\`)"
	echo
	echo '```'
	(cd "$catalog" && sha256sum */*/"$VERSION"/*.yaml)
	echo '```'
} >"$out/NOTES.md"
say "release notes: $out/NOTES.md"

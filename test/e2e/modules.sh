#!/usr/bin/env bash
# Regenerates the throwaway modules make e2e builds its cluster from
# (go.mod, tools.go, go.sum), each pinning one upstream release and
# repeating the replace directives that keep it from being `go install`ed.
# Run it only to change a version; e2e.sh builds from what is committed.
# usage: modules.sh [kubernetes|pipeline|triggers|tkn|git-init ...] (default all)
# Each lives in upstream/NAME.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
aws='github.com/aws/aws-sdk-go-v2/service/ecr => github.com/aws/aws-sdk-go-v2/service/ecr v1.27.3
	github.com/aws/aws-sdk-go-v2/service/ecrpublic => github.com/aws/aws-sdk-go-v2/service/ecrpublic v1.23.3'

# gen NAME GO REQUIRE REPLACES PACKAGE...: upstream/NAME/go.mod requiring
# REQUIRE (module version), tools.go importing each PACKAGE (none: NAME has
# its own main.go).
gen() {
	local name=$1 dir=upstream/$1 gov=$2 req=$3 repl=$4; shift 4
	{
		printf 'module plumbline-e2e/%s\n\ngo %s\n\nrequire %s\n' "$dir" "$gov" "$req"
		[[ -z $repl ]] || printf '\nreplace (\n\t%s\n)\n' "$repl"
	} >"$here/$dir/go.mod"
	if (($#)); then
		{
			printf '//go:build tools\n\npackage %s\n\nimport (\n' "${name//-/}"
			printf '\t_ "%s"\n' "$@"
			printf ')\n'
		} >"$here/$dir/tools.go"
		gofmt -w "$here/$dir/tools.go"
	fi
	(cd "$here/$dir" && GOFLAGS=-mod=mod go mod tidy)
}

kubernetes() { # Kubernetes: its staging modules, replaced by their published versions
	local kv=v1.34.4 m repl
	m=$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$kv.mod
	[[ -f $m ]] || go mod download "k8s.io/kubernetes@$kv"
	repl=$(grep -E '^\s*k8s.io/.* => \./staging' "$m" | awk -v sv="v0.${kv#v1.}" '{print $1 " => " $1 " " sv}' | paste -sd '\n' | sed 's/^/\t/;1s/^\t//')
	gen kubernetes 1.24.0 "k8s.io/kubernetes $kv" "$repl" k8s.io/kubernetes/cmd/{kube-apiserver,kube-controller-manager,kube-scheduler,kubelet,kubectl}
}
pipeline() {
	gen pipeline 1.24.0 "github.com/tektoncd/pipeline v1.9.0" "$aws" \
		github.com/tektoncd/pipeline/cmd/{controller,entrypoint,nop,resolvers,sidecarlogresults,workingdirinit}
}
triggers() {
	gen triggers 1.24.0 "github.com/tektoncd/triggers v0.35.0" "$aws" \
		github.com/tektoncd/triggers/cmd/{controller,eventlistenersink,interceptors}
}
# tkn v0.44.0 is built against Pipelines v1.9 and Triggers v0.35.0. The
# proxy does not serve the module behind `tkn hub`, so upstream/tkn/main.go
# assembles tkn's root command without that one subcommand.
tkn() {
	gen tkn 1.25.6 "github.com/tektoncd/cli v0.44.0" 'github.com/alibabacloud-go/cr-20160607 => github.com/vdemeester/cr-20160607 v1.0.1
	github.com/tektoncd/hub => github.com/openshift-pipelines/hub v1.23.7'
}
# git-init from Pipelines v0.40.2: the binary git-clone 0.9 runs by default.
gipipeline() {
	gen git-init 1.19 "github.com/tektoncd/pipeline v0.40.2" \
		'github.com/ahmetb/gen-crd-api-reference-docs => github.com/tektoncd/ahmetb-gen-crd-api-reference-docs v0.3.1-0.20220729140133-6ce2d5aafcb4' \
		github.com/tektoncd/pipeline/cmd/git-init
}

for m in "${@:-kubernetes pipeline triggers tkn git-init}"; do
	for x in $m; do "$x"; done
done

#!/bin/bash
# Throwaway module to build tkn (github.com/tektoncd/cli) from the module
# proxy: `go install` refuses it for its replace directives, so this module
# repeats them. v0.44.0 is the release built against Pipelines v1.9 and
# Triggers v0.35.0. The proxy does not serve the module behind `tkn hub`
# (github.com/openshift-pipelines/hub), so main.go assembles tkn's root
# command without that one subcommand; every other command is tkn's own code.
set -euo pipefail
cd "$(dirname "$0")"
CLIV=${CLIV:-v0.44.0}
cat > go.mod <<G
module clibuild

go 1.25.6

require github.com/tektoncd/cli $CLIV

replace (
	github.com/alibabacloud-go/cr-20160607 => github.com/vdemeester/cr-20160607 v1.0.1
	github.com/tektoncd/hub => github.com/openshift-pipelines/hub v1.23.7
)
G
GOFLAGS=-mod=mod go mod tidy

#!/bin/bash
# Throwaway module to build git-init from Tekton Pipelines v0.40.2, the
# binary the catalog's git-clone 0.9 runs by default
# (gcr.io/tekton-releases/github.com/tektoncd/pipeline/cmd/git-init:v0.40.2).
set -euo pipefail
cd "$(dirname "$0")"
GV=${GV:-v0.40.2}
cat > go.mod <<G
module gitbuild

go 1.19

require github.com/tektoncd/pipeline $GV

replace github.com/ahmetb/gen-crd-api-reference-docs => github.com/tektoncd/ahmetb-gen-crd-api-reference-docs v0.3.1-0.20220729140133-6ce2d5aafcb4
G
cat > tools.go <<'T'
//go:build tools

package gitbuild

import _ "github.com/tektoncd/pipeline/cmd/git-init"
T
GOFLAGS=-mod=mod go mod tidy

#!/bin/bash
# Throwaway module to build Tekton Triggers binaries from the module proxy (pairs with pipeline v1.9.0).
set -euo pipefail
cd "$(dirname "$0")"
TRV=${TRV:-v0.35.0}
cat > go.mod <<G
module trbuild

go 1.24.0

require github.com/tektoncd/triggers $TRV

replace (
	github.com/aws/aws-sdk-go-v2/service/ecr => github.com/aws/aws-sdk-go-v2/service/ecr v1.27.3
	github.com/aws/aws-sdk-go-v2/service/ecrpublic => github.com/aws/aws-sdk-go-v2/service/ecrpublic v1.23.3
)
G
cat > tools.go <<'T'
//go:build tools
package trbuild
import (
	_ "github.com/tektoncd/triggers/cmd/controller"
	_ "github.com/tektoncd/triggers/cmd/eventlistenersink"
	_ "github.com/tektoncd/triggers/cmd/interceptors"
)
T
GOFLAGS=-mod=mod go mod tidy

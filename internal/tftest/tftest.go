// Package tftest builds the test provider (internal/testprovider) into a
// Terraform filesystem mirror, for the terraform-validate tests and
// benchmarks: terraform init installs a real provider from it, offline.
package tftest

import (
	"path/filepath"
	"runtime"

	"github.com/plumbline/plumbline/internal/gotool"
)

// Provider is the test provider's source address and version.
const (
	Provider = "plumbline.test/testlab/lab"
	Version  = "0.1.0"
)

// BuildMirror compiles the provider into an unpacked filesystem mirror
// under dir (HOSTNAME/NAMESPACE/TYPE/VERSION/OS_ARCH/terraform-provider-TYPE_vVERSION).
func BuildMirror(dir string) error {
	target := filepath.Join(dir, filepath.FromSlash(Provider), Version, runtime.GOOS+"_"+runtime.GOARCH, "terraform-provider-lab_v"+Version)
	return gotool.Build(target, "github.com/plumbline/plumbline/internal/testprovider")
}

// RequiredProviders is the terraform block a module needs to use the provider.
const RequiredProviders = `terraform {
  required_providers {
    lab = {
      source  = "` + Provider + `"
      version = "` + Version + `"
    }
  }
}
`

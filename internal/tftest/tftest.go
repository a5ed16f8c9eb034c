// Package tftest builds the test provider (internal/testprovider) into a
// Terraform filesystem mirror, for the terraform-validate tests and
// benchmarks: terraform init installs a real provider from it, offline.
package tftest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", target, "github.com/plumbline/plumbline/internal/testprovider")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build test provider: %v\n%s", err, out)
	}
	return nil
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

// Package version holds the version stamped into every binary at build time.
package version

import "runtime/debug"

// Version is set with -ldflags "-X github.com/plumbline/plumbline/pkg/version.Version=v1.2.3"
// by the Makefile and .ko.yaml.
var Version = ""

// String returns the stamped version, else the module version of a
// `go install`ed binary, else "devel".
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

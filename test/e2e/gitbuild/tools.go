//go:build tools

package gitbuild

import (
	_ "github.com/tektoncd/pipeline/cmd/git-init"
)

//go:build tools

package gitinit

import (
	_ "github.com/tektoncd/pipeline/cmd/git-init"
)

// Command tkn is tkn v0.44.0's root command without `tkn hub` (whose module
// the proxy does not serve); the e2e tests use it to run the quickstart's
// `tkn pipeline start` exactly as written.
package main

import (
	"os"

	"github.com/spf13/cobra"
	"github.com/tektoncd/cli/pkg/cli"
	"github.com/tektoncd/cli/pkg/cmd/eventlistener"
	"github.com/tektoncd/cli/pkg/cmd/pipeline"
	"github.com/tektoncd/cli/pkg/cmd/pipelinerun"
	"github.com/tektoncd/cli/pkg/cmd/task"
	"github.com/tektoncd/cli/pkg/cmd/taskrun"
	"github.com/tektoncd/cli/pkg/cmd/version"
	_ "k8s.io/client-go/plugin/pkg/client/auth"
)

func main() {
	p := &cli.TektonParams{}
	root := &cobra.Command{Use: "tkn", Short: "CLI for tekton pipelines", SilenceUsage: true}
	root.AddCommand(pipeline.Command(p), pipelinerun.Command(p), task.Command(p),
		taskrun.Command(p), eventlistener.Command(p), version.Command(p))
	if err := root.Execute(); err != nil {
		os.Exit(1)
	}
}

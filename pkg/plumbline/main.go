package plumbline

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/plumbline/plumbline/pkg/cli"
	"github.com/plumbline/plumbline/pkg/delta"
	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/version"
)

// CheckCommand is plumbline check: the CLI contract of every check (formats,
// --report, --report-dir, --fail-on, --results-dir, --config, exit codes),
// run inside the repository DIR.
func CheckCommand() cli.Command {
	return cli.Command{
		Name:     "plumbline check",
		Synopsis: "[DIR]",
		Summary:  "Run every check .plumbline.yaml enables on the repository DIR (default .), at once, and print the merged summary.",
		Check:    &Check{},
		InDir:    true,
	}
}

// DiffCommand is plumbline diff: what a change will deploy, rendered.
func DiffCommand() cli.Command {
	return cli.Command{
		Name:     "plumbline diff",
		Synopsis: "[--base] BASE [DIR]",
		Summary:  "Render every kustomization, ArgoCD Application and Flux HelmRelease of the repository DIR (default .) at the revision BASE and now, and show the objects added, removed and changed, with a diff of each.",
		Check:    &delta.Check{},
		InDir:    true,
	}
}

const usage = `usage: plumbline COMMAND

  plumbline check [DIR]   run every enabled check on the repository, at once (plumbline check --help)
  plumbline diff BASE [DIR]  what the change since BASE will deploy: the rendered Kubernetes diff (plumbline diff --help)
  plumbline init [DIR]    write a commented .plumbline.yaml for the layout found in DIR
  plumbline rules [ID]    list every rule, or show one rule's documentation
  plumbline version       print the version

exit status: 0 pass, 1 findings at or above --fail-on, 2 usage, configuration or tool failure
`

// Main runs the plumbline command with args (without the program name) and
// returns the exit code.
func Main(ctx context.Context, args []string, env cli.Env) int {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return cli.ExitBroken
	}
	fail := func(err error) int {
		fmt.Fprintf(env.Stderr, "plumbline %s: %s\n", args[0], report.Printable(err.Error()))
		return cli.ExitBroken
	}
	switch args[0] {
	case "check":
		return cli.Main(ctx, CheckCommand(), args[1:], env)
	case "diff":
		rest := args[1:]
		if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
			rest = append([]string{"--base", rest[0]}, rest[1:]...)
		}
		return cli.Main(ctx, DiffCommand(), rest, env)
	case "init":
		if len(args) > 2 {
			return fail(cli.Usagef("plumbline init [DIR]"))
		}
		dir := "."
		if len(args) == 2 {
			dir = args[1]
		}
		if err := Init(dir, env.Stdout); err != nil {
			return fail(err)
		}
		return cli.ExitPass
	case "rules":
		id := ""
		if len(args) > 2 {
			return fail(cli.Usagef("plumbline rules [ID]"))
		}
		if len(args) == 2 {
			id = args[1]
		}
		if err := printRules(env.Stdout, id); err != nil {
			return fail(err)
		}
		return cli.ExitPass
	case "version", "--version":
		fmt.Fprintf(env.Stdout, "plumbline %s\n", version.String())
		return cli.ExitPass
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return cli.ExitPass
	}
	return fail(errors.New("unknown command (check, init, rules, version)"))
}

package change

import (
	"flag"

	"github.com/plumbline/plumbline/pkg/config"
)

// Flags are a check's --changes and --changed-only: the pull request's
// change it narrows to, and whether it does (the config's
// pullRequests.changedOnly).
type Flags struct {
	File string
	Only bool
}

// Register adds the flags; what says what the check narrows to.
func (f *Flags) Register(fs *flag.FlagSet, what string) {
	fs.StringVar(&f.File, "changes", "", "a pull request's change, `FILE` (git diff -U0; the pipelines' fetch step writes one): "+what+"; a FILE that is not there (a push), or a change to .plumbline.yaml, checks everything")
	fs.BoolVar(&f.Only, "changed-only", true, "with --changes, check only what the change touches (pullRequests.changedOnly); false checks everything")
}

// Load is the change to narrow to, nil for everything: no change (a
// push), --changed-only=false, or a change to the config, which may
// change what every check does.
func (f *Flags) Load() (*Set, error) {
	if !f.Only {
		return nil, nil
	}
	s, err := Load(f.File)
	if err != nil || s == nil || s.Under(config.FileName) {
		return nil, err
	}
	return s, nil
}

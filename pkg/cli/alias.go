package cli

import (
	"flag"
	"fmt"
)

// Alias is the old name of a renamed string flag, kept for one catalog
// version: given alone it sets the new flag, given with it the two must
// agree. Empty counts as not given, as Tekton passes every param of a
// step, the ones nobody set empty.
type Alias struct {
	old, new string
	target   *string
	value    string
}

// NewAlias defines old on fs as the old name of the flag new, whose value
// is in target.
func NewAlias(fs *flag.FlagSet, old, new string, target *string) *Alias {
	a := &Alias{old: old, new: new, target: target}
	// The new flag's placeholder in backquotes, so that --help shows the
	// old name taking what the new one takes (not flag's "value").
	placeholder := "VALUE"
	if f := fs.Lookup(new); f != nil {
		if name, _ := flag.UnquoteUsage(f); name != "" {
			placeholder = name
		}
	}
	fs.Func(old, "deprecated: --"+new+" `"+placeholder+"` (the old name goes in the next catalog version)", func(v string) error {
		a.value = v
		return nil
	})
	return a
}

// Resolve applies the old name's value after parsing; note, when not
// empty, is what to tell the user.
func (a *Alias) Resolve() (note string, err error) {
	switch {
	case a.value == "":
		return "", nil
	case *a.target == "":
		*a.target = a.value
	case *a.target != a.value:
		return "", Usagef("--%s %q and --%s %q disagree (--%s is the old name of --%s)", a.old, a.value, a.new, *a.target, a.old, a.new)
	}
	return fmt.Sprintf("--%s is deprecated: use --%s", a.old, a.new), nil
}

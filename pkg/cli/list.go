package cli

import "strings"

// List is a repeatable flag that also takes comma-separated values, so a
// Tekton param holding "a,b" (or "") works as well as --flag a --flag b.
type List []string

func (l *List) String() string { return strings.Join(*l, ",") }

func (l *List) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

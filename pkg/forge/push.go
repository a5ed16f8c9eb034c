package forge

import (
	"encoding/json"
	"errors"
	"fmt"
)

// MaxChangedFiles bounds the files a push lists: beyond it the list is
// marked incomplete, as when the forge left commits out.
const MaxChangedFiles = 10000

// Changes are the files a push changed, as far as its payload tells.
type Changes struct {
	Files []string
	// Complete is false when the payload does not list every commit (a
	// forge sends only the newest ones of a large push) or the list hit
	// MaxChangedFiles: a filter on the files must not skip such a push.
	Complete bool
}

type pushPayload struct {
	Commits []struct {
		Added    []string `json:"added"`
		Removed  []string `json:"removed"`
		Modified []string `json:"modified"`
	} `json:"commits"`
	TotalCommits *int `json:"total_commits"`
}

// ChangedFiles reads the files a push payload's commits added, removed or
// modified, each once, in the order first seen.
func ChangedFiles(body []byte) (Changes, error) {
	var p pushPayload
	if err := json.Unmarshal(body, &p); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Changes{}, fmt.Errorf("push payload: %s is a JSON %s, not what a push holds there", te.Field, te.Value)
		}
		return Changes{}, fmt.Errorf("push payload: %w", err)
	}
	c := Changes{Complete: p.TotalCommits == nil || *p.TotalCommits <= len(p.Commits)}
	seen := map[string]bool{}
	for _, commit := range p.Commits {
		for _, list := range [][]string{commit.Added, commit.Removed, commit.Modified} {
			for _, f := range list {
				if seen[f] {
					continue
				}
				if len(c.Files) == MaxChangedFiles {
					c.Complete = false
					return c, nil
				}
				seen[f] = true
				c.Files = append(c.Files, f)
			}
		}
	}
	return c, nil
}

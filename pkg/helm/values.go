package helm

import (
	"bytes"
	"fmt"

	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/strvals"
)

// Values are the user's values as the helm flags ArgoCD and Flux pass
// give them: values files (-f) in order, then --set and --set-string.
type Values struct {
	Files     []File   `json:"files,omitempty"`     // -f, in order; Name is how errors name the file
	Set       []string `json:"set,omitempty"`       // --set key=value
	SetString []string `json:"setString,omitempty"` // --set-string key=value
}

// Merge merges them as helm's values.Options.MergeValues does.
func (v Values) Merge() (map[string]any, error) {
	base := map[string]any{}
	for _, f := range v.Files {
		m, err := loader.LoadValues(bytes.NewReader(f.Data))
		if err != nil {
			return nil, fmt.Errorf("failed to parse %s: %w", f.Name, err)
		}
		base = loader.MergeMaps(base, m)
	}
	for _, s := range v.Set {
		if err := strvals.ParseInto(s, base); err != nil {
			return nil, fmt.Errorf("failed parsing --set data: %w", err)
		}
	}
	for _, s := range v.SetString {
		if err := strvals.ParseIntoString(s, base); err != nil {
			return nil, fmt.Errorf("failed parsing --set-string data: %w", err)
		}
	}
	return base, nil
}

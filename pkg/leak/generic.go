package leak

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
)

// genericRule is gitleaks' rule for any credential-looking assignment. One
// of its keywords is "api", so every Kubernetes manifest (apiVersion)
// selected it, and its expression ran over the whole file: half the secret
// scan's time on 2,000 manifests (docs/policy-check.md, Performance).
const genericRule = "generic-api-key"

// withoutGeneric is the detector without genericRule, for files in which
// that rule can find nothing (genericIdle).
var withoutGeneric = sync.OnceValues(func() (*detect.Detector, error) {
	det, err := tokens()
	if err != nil {
		return nil, err
	}
	cfg := det.Config
	cfg.Rules = maps.Clone(cfg.Rules)
	delete(cfg.Rules, genericRule)
	cfg.OrderedRules = slices.DeleteFunc(slices.Clone(cfg.OrderedRules), func(id string) bool { return id == genericRule })
	d := detect.NewDetectorContext(context.Background(), cfg)
	d.MaxDecodeDepth = det.MaxDecodeDepth
	return d, nil
})

// apiVersionLine is a Kubernetes object's apiVersion key with its value.
var apiVersionLine = regexp.MustCompile(`^[ \t]*(?:- )?apiVersion:[ \t]*\S+[ \t]*\r?$`)

// genericIdle says whether the generic rule can match nothing in data,
// whose lower-case form is lower. gitleaks runs a rule when one of its
// keywords is anywhere in the file (one pass: no decoding depth), and the
// rule's expression needs a keyword inside its match; a match through
// "apiVersion: VALUE" stays on that line (the value is there, and the
// expression crosses a line only before a value). So when every keyword
// occurrence is the api of such a key, and no such line matches the
// expression alone, nothing matches in the file.
func genericIdle(rule config.Rule, maxDecodeDepth int, data, lower string) bool {
	// Lower-casing can change a string's length (some non-ASCII letters):
	// then positions in lower are not positions in data.
	if maxDecodeDepth != 0 || rule.Regex == nil || len(lower) != len(data) {
		return false
	}
	for _, k := range rule.Keywords {
		k = strings.ToLower(k)
		for at := 0; ; {
			i := strings.Index(lower[at:], k)
			if i < 0 {
				break
			}
			at += i
			if k != "api" || !apiVersionKey(rule.Regex, data, at) {
				return false
			}
			at += len(k)
		}
	}
	return true
}

// apiVersionKey says whether data[at:] begins the key of an apiVersion
// line the expression re does not match.
func apiVersionKey(re *regexp.Regexp, data string, at int) bool {
	if !strings.HasPrefix(data[at:], "apiVersion:") {
		return false
	}
	start := strings.LastIndexByte(data[:at], '\n') + 1
	end := strings.IndexByte(data[at:], '\n')
	if end < 0 {
		end = len(data)
	} else {
		end += at
	}
	line := data[start:end]
	return apiVersionLine.MatchString(line) && !re.MatchString(line+"\n")
}

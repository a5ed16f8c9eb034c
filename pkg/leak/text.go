package leak

import (
	"regexp"
	"strings"

	"github.com/plumbline/plumbline/pkg/secret"
)

// envHits reads a dotenv file: KEY=value lines, export allowed, quotes
// stripped, comments skipped.
func envHits(lines []string) []hit {
	var out []hit
	for i, l := range lines {
		l = strings.TrimSpace(strings.TrimRight(l, "\r"))
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(l, "export "), "=")
		k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"'`)
		if !ok || !secret.Name(k) || placeholder(v) {
			continue
		}
		h := hit{rule: RuleAssignment, detail: "a value for " + k, line: i + 1, length: len(v)}
		if j := strings.LastIndex(lines[i], v); j >= 0 {
			h.col = j + 1
		}
		out = append(out, h)
	}
	return out
}

// credentialURL is scheme://user:password@host; the password is group 1.
var credentialURL = regexp.MustCompile(`\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\s:/@'"<>{}]{1,128}:([^\s/@'"<>{}]{1,256})@[a-zA-Z0-9.-]{1,253}`)

// urlHits finds URLs that carry a password, in any text file.
func urlHits(lines []string) []hit {
	var out []hit
	for i, l := range lines {
		if !strings.Contains(l, "://") || !strings.Contains(l, "@") {
			continue
		}
		for _, m := range credentialURL.FindAllStringSubmatchIndex(l, -1) {
			pw := l[m[2]:m[3]]
			if placeholder(pw) {
				continue
			}
			out = append(out, hit{rule: RuleURL, detail: "a URL's password", line: i + 1, col: m[2] + 1, length: len(pw)})
		}
	}
	return out
}

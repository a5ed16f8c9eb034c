package report

import (
	"sort"
	"strings"
	"sync"
)

// Secrets are the credential values a run was given (registry tokens in
// its environment, a TSIG key, an API token): Mask replaces each wherever
// it appears, so a tool that quotes one (terraform's file() of a mounted
// key, a parse error echoing a line) puts none in a report or a log.
// Safe for concurrent use; the zero value holds none.
type Secrets struct {
	mu   sync.Mutex
	vals []string
}

// minSecret is the shortest value masked: shorter ones ("1", "true") are
// settings, and masking them would garble every message.
const minSecret = 6

// Add records values as secret; short ones are ignored.
func (s *Secrets) Add(vals ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if len(v) >= minSecret {
			s.vals = append(s.vals, v)
		}
	}
	// Longest first: a secret holding another is masked whole.
	sort.Slice(s.vals, func(i, j int) bool { return len(s.vals[i]) > len(s.vals[j]) })
}

// Mask returns text with every secret replaced by "***".
func (s *Secrets) Mask(text string) string {
	if s == nil {
		return text
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.vals {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, "***")
		}
	}
	return text
}

// MaskReport masks every text of r a secret could reach.
func (s *Secrets) MaskReport(r *Report) {
	if s == nil || r == nil || s.empty() {
		return
	}
	r.Skipped = s.Mask(r.Skipped)
	for i := range r.Findings {
		f := &r.Findings[i]
		f.Message, f.Snippet, f.Help, f.File = s.Mask(f.Message), s.Mask(f.Snippet), s.Mask(f.Help), s.Mask(f.File)
	}
	for k, v := range r.Details {
		r.Details[k] = s.Mask(v)
	}
}

func (s *Secrets) empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.vals) == 0
}

// IsSecretName says whether an environment variable of this name holds a
// credential: registry tokens (TF_TOKEN_*), Terraform variables (TF_VAR_*,
// often passwords), and anything named like a token, password or key.
func IsSecretName(name string) bool {
	n := strings.ToUpper(name)
	if strings.HasPrefix(n, "TF_TOKEN_") || strings.HasPrefix(n, "TF_VAR_") {
		return true
	}
	for _, w := range []string{"TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "API_KEY", "APIKEY", "PRIVATE_KEY", "ACCESS_KEY", "TSIG"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

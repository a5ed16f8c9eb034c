package tree

import (
	"bufio"
	"net/url"
	"path/filepath"
	"strings"
)

// GitRemotes reads the remote URLs of a checkout's .git/config (a clone
// made by the pipeline's fetch step has origin), without running git.
func GitRemotes(root string) []string {
	f, err := Open(root, filepath.Join(root, ".git", "config"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	remote := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			remote = strings.HasPrefix(line, "[remote ")
			continue
		}
		if k, v, ok := strings.Cut(line, "="); remote && ok && strings.TrimSpace(k) == "url" {
			out = append(out, withoutCredentials(strings.TrimSpace(v)))
		}
	}
	return out
}

// withoutCredentials drops the user and password of a URL: a clone's
// remote may carry a token (https://x:TOKEN@host/…), and data.plumbline is
// readable by policies from the pull request, whose messages are printed.
func withoutCredentials(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil || p.Host == "" {
		if i := strings.Index(u, "://"); i >= 0 {
			if at := strings.LastIndexByte(u[i+3:], '@'); at >= 0 {
				return u[:i+3] + u[i+3+at+1:] // unparsable, but the userinfo is still dropped
			}
		}
		return u
	}
	p.User = nil
	return p.String()
}

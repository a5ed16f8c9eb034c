package tree

import "testing"

// TestRemoteWithoutCredentials: a clone's remote URL may carry a token;
// data.plumbline, which policies from the pull request read, never does.
func TestRemoteWithoutCredentials(t *testing.T) {
	for in, want := range map[string]string{
		"https://x-access-token:SECRET@git.home.arpa/homelab/infra.git": "https://git.home.arpa/homelab/infra.git",
		"https://SECRET@git.home.arpa/homelab/infra.git":                "https://git.home.arpa/homelab/infra.git",
		"ssh://git@git.home.arpa:2222/homelab/infra.git":                "ssh://git.home.arpa:2222/homelab/infra.git",
		"git@git.home.arpa:homelab/infra.git":                           "git@git.home.arpa:homelab/infra.git",
		"https://git.home.arpa/homelab/infra.git":                       "https://git.home.arpa/homelab/infra.git",
		"https://u:SE%zzCRET@git.home.arpa/x.git":                       "https://git.home.arpa/x.git",
	} {
		if got := withoutCredentials(in); got != want {
			t.Errorf("withoutCredentials(%q) = %q, want %q", in, got, want)
		}
	}
}

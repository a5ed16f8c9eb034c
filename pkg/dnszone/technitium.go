package dnszone

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/zonefile"
)

// Technitium reads a zone from a Technitium DNS Server through its HTTP
// API's zone export (/api/zones/export), which returns the zone as an RFC
// 1035 zone file, so it is normalised exactly like one.
type Technitium struct {
	BaseURL string // https://host:port
	Zone    string
	Token   string
	// TokenInQuery sends the token as the token= parameter of older
	// servers instead of an Authorization: Bearer header.
	TokenInQuery bool
	Client       *http.Client
	Options      Options
}

func newTechnitium(u *url.URL, cfg Config) (*Technitium, error) {
	zone := strings.Trim(u.Path, "/")
	if zone == "" {
		return nil, fmt.Errorf("source %s: no zone (want technitium+https://host[:port]/zone)", u.Redacted())
	}
	scheme := strings.TrimPrefix(u.Scheme, "technitium+")
	if cfg.Token == "" {
		return nil, fmt.Errorf("source %s: no API token (--token-file or --token-env)", u.Redacted())
	}
	// The token would cross the network in the clear: only on request.
	if scheme == "http" && !cfg.AllowHTTP {
		return nil, fmt.Errorf("source %s: plain http would send the API token unencrypted; use technitium+https://, or --allow-http on a network you trust", u.Redacted())
	}
	return &Technitium{
		BaseURL: scheme + "://" + u.Host, Zone: zone, Token: cfg.Token,
		TokenInQuery: u.Query().Get("auth") == "query",
		Client:       &http.Client{Timeout: 30 * time.Second},
		Options:      cfg.Options,
	}, nil
}

// ReadToken loads an API token from a file or an environment variable,
// never from a flag value.
func ReadToken(file, envVar string) (string, error) {
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--token-file: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	case envVar != "":
		v := strings.TrimSpace(os.Getenv(envVar))
		if v == "" {
			return "", fmt.Errorf("--token-env: $%s is empty", envVar)
		}
		return v, nil
	}
	return "", nil
}

// apiStatus is the envelope every Technitium API answer has.
type apiStatus struct {
	Status       string `json:"status"`
	ErrorMessage string `json:"errorMessage"`
}

func (t *Technitium) Zones(ctx context.Context) (map[string]*Zone, error) {
	q := url.Values{"zone": {t.Zone}}
	if t.TokenInQuery {
		q.Set("token", t.Token)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.BaseURL+"/api/zones/export?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	if !t.TokenInQuery {
		req.Header.Set("Authorization", "Bearer "+t.Token)
	}
	// What the server says is quoted short, escaped, and without the token
	// (a server that echoes the request URL would print ?token=).
	fail := func(format string, args ...any) error {
		msg := fmt.Sprintf(format, args...)
		if t.Token != "" {
			msg = strings.ReplaceAll(msg, t.Token, "[token]")
			msg = strings.ReplaceAll(msg, url.QueryEscape(t.Token), "[token]")
		}
		return fmt.Errorf("technitium %s at %s: %s", t.Zone, t.BaseURL, report.Excerpt(msg, 300))
	}
	resp, err := t.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL would print the token
		}
		return nil, fail("%v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, zonefile.MaxFileSize+1))
	if err != nil {
		return nil, fail("read: %v", err)
	}
	// Errors come as a JSON envelope, sometimes with HTTP 200.
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '{' {
		var st apiStatus
		if err := json.Unmarshal(trimmed, &st); err == nil {
			switch st.Status {
			case "invalid-token":
				return nil, fail("the API token is invalid or expired (invalid-token)")
			case "error":
				return nil, fail("%s", st.ErrorMessage)
			}
		}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fail("HTTP %s", resp.Status)
	}
	z, err := parseZone("technitium:"+t.Zone, body, t.Zone, "", t.Options)
	if err != nil {
		return nil, fail("%v", err)
	}
	return map[string]*Zone{z.Origin: z}, nil
}

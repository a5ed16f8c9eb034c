package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/plumbline/plumbline/pkg/report"
)

// Pushgateway pushes the run's metrics (the prometheus report format) to
// a Prometheus Pushgateway, grouped by job "plumbline" and the
// repository, replacing that group's previous push: what a scrape of a
// short-lived TaskRun cannot get.
type Pushgateway struct {
	URL        string // the Pushgateway's base URL
	Repository string // owner/name, the group's repository label; "" for none
	Client     *http.Client
}

var _ Notifier = (*Pushgateway)(nil)

func (p *Pushgateway) Name() string { return "pushgateway" }

func (p *Pushgateway) Notify(ctx context.Context, r *report.Report, _ string) error {
	u, err := url.Parse(strings.TrimRight(p.URL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("pushgateway: pushgateway-url is not an http(s) URL")
	}
	// A label value with a slash goes base64-encoded, as the Pushgateway's
	// API has it (label@base64/value).
	path := "/metrics/job/plumbline"
	if p.Repository != "" {
		path += "/repository@base64/" + base64.RawURLEncoding.EncodeToString([]byte(p.Repository))
	}
	var body bytes.Buffer
	if err := (report.Prometheus{}).Write(&body, r); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String()+path, &body)
	if err != nil {
		return fmt.Errorf("pushgateway: %v", redact(err))
	}
	req.Header.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	client := p.Client
	if client == nil {
		client = &http.Client{Timeout: Timeout}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("pushgateway: %v", redact(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("pushgateway: HTTP %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

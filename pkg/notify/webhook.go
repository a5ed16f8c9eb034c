package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/plumbline/plumbline/pkg/report"
)

// Webhook posts one message to a chat incoming webhook. The body carries
// the text as "text" (Slack) and "content" (Discord), so both accept it.
type Webhook struct {
	URL    string
	Client *http.Client
	// Text, when set, is the message instead of the run's verdict.
	Text string
}

var (
	_ Notifier = (*Webhook)(nil)
	_ Chat     = (*Webhook)(nil)
)

// verdictText is a run in one message: its verdict and counts, and each
// check that did not run.
func verdictText(r *report.Report) string {
	verdict := "passed"
	if !r.Summary.Passed {
		verdict = "failed"
	}
	text := fmt.Sprintf("Plumbline %s: %s", verdict, report.Counts(r.Summary, len(r.Checks)))
	for _, c := range r.Checks {
		if c.Status != report.Ran {
			text += fmt.Sprintf("\n%s: %s", c.Tool, c.Status)
		}
	}
	return text
}

func (w *Webhook) Name() string { return "webhook" }

func (w *Webhook) WithText(text string) Chat { c := *w; c.Text = text; return &c }

func (w *Webhook) Notify(ctx context.Context, r *report.Report, _ string) error {
	text := w.Text
	if text == "" {
		text = verdictText(r)
	}
	body, _ := json.Marshal(map[string]string{"text": text, "content": text})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook: %v", redact(err))
	}
	req.Header.Set("Content-Type", "application/json")
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %v", redact(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("webhook: HTTP %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// redact keeps the webhook URL, which is its secret, out of messages.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

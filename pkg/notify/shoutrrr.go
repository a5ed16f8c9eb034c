package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nicholas-fedor/shoutrrr"
	"github.com/nicholas-fedor/shoutrrr/pkg/types"

	"github.com/plumbline/plumbline/pkg/report"
)

// Shoutrrr tells the chats and push services homelabs use, through one
// maintained library: ntfy://, gotify://, matrix://, discord://,
// slack://, telegram://, generic+https:// and the rest of shoutrrr's
// service URLs (https://shoutrrr.nickfedor.com/), one message each.
type Shoutrrr struct {
	URLs []string
	// Text, when set, is the message instead of the run's verdict (a
	// scheduled run's "drift appeared").
	Text string
}

var (
	_ Notifier = (*Shoutrrr)(nil)
	_ Chat     = (*Shoutrrr)(nil)
)

// Chat is a notifier that sends people one short message: a scheduled
// run tells it only when the drift state changes, in words of its own.
type Chat interface {
	Notifier
	WithText(text string) Chat
}

func (s *Shoutrrr) Name() string { return "shoutrrr" }

func (s *Shoutrrr) WithText(text string) Chat { c := *s; c.Text = text; return &c }

func (s *Shoutrrr) Notify(ctx context.Context, r *report.Report, _ string) error {
	text := s.Text
	if text == "" {
		text = verdictText(r)
	}
	sender, err := shoutrrr.CreateSender(s.URLs...)
	if err != nil {
		// The library's error names the URL, token and all.
		return errors.New("shoutrrr: a shoutrrr-url is not a service URL shoutrrr knows")
	}
	sender.Timeout = Timeout
	done := make(chan []error, 1)
	go func() { done <- sender.Send(text, &types.Params{"title": "Plumbline"}) }()
	select {
	case errs := <-done:
		var out []string
		for i, e := range errs {
			if e != nil {
				out = append(out, fmt.Sprintf("service %d: %v", i+1, e))
			}
		}
		if len(out) > 0 {
			return errors.New("shoutrrr: " + strings.Join(out, "; "))
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("shoutrrr: %w", ctx.Err())
	}
}

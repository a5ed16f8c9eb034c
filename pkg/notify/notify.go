package notify

import (
	"context"
	"time"

	"github.com/plumbline/plumbline/pkg/report"
)

// Notifier tells someone about a merged report. markdown is the report in
// the markdown format, ready to post.
type Notifier interface {
	Name() string
	Notify(ctx context.Context, r *report.Report, markdown string) error
}

// Marker tags the pull-request comment Plumbline owns, so later runs edit
// it instead of adding another.
const Marker = "<!-- plumbline:report -->"

// Timeout bounds each request to a forge or chat: a server that never
// answers must not hold the report step (and the pipeline) forever.
const Timeout = 30 * time.Second

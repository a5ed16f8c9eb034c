package merge

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/plumbline/plumbline/pkg/notify"
	"github.com/plumbline/plumbline/pkg/report"
)

// driftState is what a scheduled run found, kept for the next one:
// whether what runs differed from Git, and how.
type driftState struct {
	Drift    bool     `json:"drift"`
	Findings int      `json:"findings"`
	Checks   []string `json:"checks,omitempty"`
}

// maxDriftState bounds the state file: it is a few hundred bytes.
const maxDriftState = 64 << 10

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// driftFile is where --drift-state keeps the repository's state: one
// volume can hold several repositories'.
func (c *Check) driftFile() string {
	name := "run"
	if c.repo != "" {
		name = unsafeName.ReplaceAllString(c.repo, "_")
	}
	return filepath.Join(c.driftState, "drift-"+name+".json")
}

// driftOf is r's drift: the findings that say what runs differs from Git.
func driftOf(r *report.Report) driftState {
	var s driftState
	for _, f := range r.Findings {
		if report.Drift(f.Rule) {
			s.Drift = true
			s.Findings++
			if !slices.Contains(s.Checks, f.Tool) {
				s.Checks = append(s.Checks, f.Tool)
			}
		}
	}
	slices.Sort(s.Checks)
	return s
}

// driftChange compares r with the state the last run left in
// --drift-state, keeps r's for the next, and returns the message for the
// chats when the drift appeared or went away; "" when nothing changed
// (then the chats are not told: a scheduled run that finds the same drift
// every hour must not page someone every hour).
func (c *Check) driftChange(r *report.Report) (string, error) {
	cur := driftOf(r)
	var prev driftState
	data, err := readRegular(c.driftFile())
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// The first run: no drift is what was known.
	case err != nil:
		return "", fmt.Errorf("drift state: %w", err)
	case len(data) > maxDriftState:
		return "", fmt.Errorf("drift state %s: larger than %d KiB", c.driftFile(), maxDriftState>>10)
	default:
		if err := json.Unmarshal(data, &prev); err != nil {
			return "", fmt.Errorf("drift state %s: %w", c.driftFile(), err)
		}
	}
	out, _ := json.Marshal(cur)
	tmp := c.driftFile() + ".tmp"
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		return "", fmt.Errorf("drift state: %w", err)
	}
	if err := os.Rename(tmp, c.driftFile()); err != nil {
		return "", fmt.Errorf("drift state: %w", err)
	}
	where := c.repo
	if where == "" {
		where = "the repository"
	}
	switch {
	case cur.Drift && !prev.Drift:
		r.Details["drift"] = "appeared"
		var lines []string
		for _, f := range r.Findings {
			if report.Drift(f.Rule) && len(lines) < 5 {
				lines = append(lines, "- "+f.Tool+": "+report.Truncate(f.Message, 200))
			}
		}
		if more := cur.Findings - len(lines); more > 0 {
			lines = append(lines, fmt.Sprintf("- … %d more", more))
		}
		n := fmt.Sprintf("%d findings", cur.Findings)
		if cur.Findings == 1 {
			n = "1 finding"
		}
		return fmt.Sprintf("Plumbline: drift in %s: what runs is not what Git says (%s from %s)\n%s",
			where, n, strings.Join(cur.Checks, ", "), strings.Join(lines, "\n")), nil
	case !cur.Drift && prev.Drift:
		r.Details["drift"] = "gone"
		return fmt.Sprintf("Plumbline: no more drift in %s: what runs is what Git says again", where), nil
	case cur.Drift:
		r.Details["drift"] = "unchanged: still there, already told"
	default:
		r.Details["drift"] = "none"
	}
	return "", nil
}

// scheduled turns the notifiers of a scheduled run (--drift-state): the
// forge's commit status and the metrics every time, the chats only when
// the drift state changed, with a message saying how.
func (c *Check) scheduled(r *report.Report, ns []notify.Notifier) []notify.Notifier {
	if c.driftState == "" {
		return ns
	}
	if r.Details == nil {
		r.Details = map[string]string{}
	}
	msg, err := c.driftChange(r)
	if err != nil {
		// Better told twice than never: the chats get the verdict.
		r.Findings = append(r.Findings, report.Finding{Rule: RuleNotifyFailed, Severity: report.Warning, Tool: Tool,
			Message: "cannot tell whether the drift changed, so the chats are told: " + report.Truncate(err.Error(), 300)})
		return ns
	}
	var out []notify.Notifier
	for _, n := range ns {
		chat, ok := n.(notify.Chat)
		switch {
		case !ok:
			out = append(out, n)
		case msg != "":
			out = append(out, chat.WithText(msg))
		}
	}
	return out
}

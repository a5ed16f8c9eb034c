// Package notify tells people where they look how a run went: a commit
// status and an updated pull-request comment on GitHub, or a message to a
// chat webhook (Slack and Discord incoming webhooks). A failure to notify
// is the caller's warning, never a failed run.
package notify

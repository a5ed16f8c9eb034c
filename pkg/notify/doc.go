// Package notify tells people where they look how a run went: a commit
// status, an updated pull-request comment and (GitHub) the SARIF for code
// scanning on GitHub or on Gitea and Forgejo, or a message to a chat
// webhook (Slack and Discord incoming webhooks). A failure to notify
// is the caller's warning, never a failed run.
package notify

// Package forge reads the webhooks of Gitea and Forgejo (and Gogs, whose
// headers Gitea still sends): which event a delivery is, whether its
// signature is the one the shared secret makes, and which files a push
// changed. It knows nothing of Tekton; package intercept serves it to
// Triggers.
package forge

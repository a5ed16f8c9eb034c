// Package intercept speaks Tekton Triggers' interceptor protocol: an
// EventListener POSTs each webhook, wrapped in a Request, to a
// ClusterInterceptor's URL and reads back a Response that says whether the
// trigger goes on. The types mirror Triggers' v1beta1 InterceptorRequest
// and InterceptorResponse field for field (a test in test/triggers holds
// them to it) without importing Triggers, which would drag Kubernetes and
// knative into a small image.
//
// Forge is the interceptor for Gitea and Forgejo webhooks.
package intercept

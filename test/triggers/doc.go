// Package triggers tests the shipped Triggers resources with Tekton
// Triggers' own code: signed GitHub payloads go through the real GitHub and
// CEL interceptors, the bindings are resolved and the template rendered by
// the triggers template package, and the PipelineRun that comes out is
// validated by Tekton's pipeline validation.
package triggers

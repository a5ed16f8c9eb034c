// Package proc runs the tools a check drives (terraform and the provider
// plugins it starts, ansible-lint and the Ansible it loads) so that a
// timeout really ends them: each run is its own process group, cancelling
// kills the whole group, waiting gives up a moment later even when a
// grandchild still holds the output pipes, and output is kept only up to a
// budget. A run that could not finish never hangs the check behind it.
package proc

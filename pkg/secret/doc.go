// Package secret decides what is a credential by its name: the same
// decision for terraform-validate's variables, ansible-lint-check's task
// arguments and the bundled policy library (tested on one table).
package secret

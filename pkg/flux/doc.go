// Package flux reads a repository as Flux's kustomize-controller applies
// it: a Kustomization with spec.postBuild substitutes ${var} in every
// object it builds (but those marked
// kustomize.toolkit.fluxcd.io/substitute: disabled) before it applies
// them, so a value written "${REPLICAS}" is the number the variable holds,
// not a string where a number belongs. What cannot be known offline (a
// variable from a Secret or ConfigMap not in the repository, a SOPS
// ciphertext) comes back as the caller's unknown value.
package flux

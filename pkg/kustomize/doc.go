// Package kustomize renders a repository's kustomizations as ArgoCD would
// apply them (kustomize's own krusty, in process, default options) and
// keeps, for every rendered object, where each of its fields came from:
// the resource file, the patch that set it, or the kustomization's images
// entry. Rendering is offline: a remote base, an HTTP resource or a Helm
// chart is refused at its line before kustomize sees it, and the
// repository is read into memory first (pkg/tree's rules, size budgets), so
// no symlink leads out of it and kustomize never touches the disk.
package kustomize

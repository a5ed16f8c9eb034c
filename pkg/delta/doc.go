// Package delta is what a change will deploy: the objects every
// kustomization and chart of a repository renders (pkg/kustomize) at a
// base and at the head, matched by API group, kind, namespace and name
// within their overlay or release, and each added, removed or changed
// object with a unified diff of its YAML (keys sorted as the API server
// serves them, Secrets' values masked). A change that deletes a
// Namespace, a PersistentVolumeClaim or a CustomResourceDefinition, or
// rewrites an immutable selector, is a finding of its own, an error in a
// production overlay. It is a consumer of the renderers, as the DNS plan
// is of the zone parser.
package delta

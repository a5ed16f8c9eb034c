// Package kube checks Kubernetes manifests against the schema the API
// server decodes them with, offline: the built-in kinds against the
// OpenAPI definitions of Kubernetes itself (kubernetes.json.gz, written by
// hack/k8sschema from k8s.io/kubernetes), custom kinds against the
// CustomResourceDefinitions found in the same repository. What it reports
// is what `kubectl apply` (strict field validation, its default) refuses
// before anything is stored: unknown and duplicate-free misspelt fields,
// wrong types, missing required fields, malformed quantities, and kinds or
// versions no server of that release serves.
package kube

//go:generate go run ../../hack/k8sschema -version v1.34.4 -o kubernetes.json.gz

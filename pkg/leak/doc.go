// Package leak finds credentials committed to a repository: every text
// file, by known token formats (gitleaks' rule set, read as gitleaks reads
// it, plus the homelab formats it lacks) and by password-like assignments
// in structured files (YAML: Kubernetes Secrets, container env, Helm values
// of ArgoCD Applications and Flux HelmReleases, docker-compose
// environment; HCL; URLs with a password).
//
// What is safe by construction is not a finding: references and templates
// (op://, ${VAR}, {{ var }}), SOPS and ansible-vault encryption,
// SealedSecret and ExternalSecret, valueFrom/secretKeyRef, and the
// placeholders of one documented rule (docs/rules/secret.md). A value
// never leaves the package: findings carry its length, never its text,
// and the line they quote has it replaced by ****.
package leak

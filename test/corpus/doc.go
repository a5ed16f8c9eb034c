// Package corpus holds the checks to public repositories nobody here
// wrote (repos/, written by hack/corpus/extract.sh; NOTICE names each
// one, its commit and its licence): every error and warning they give is
// judged in precision.tsv, and the kustomize and terraform fmt readings
// are compared with the real tools.
package corpus

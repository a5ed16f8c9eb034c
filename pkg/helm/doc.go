// Package helm renders Helm charts offline as `helm template` does, with
// Helm's own engine (helm.sh/helm/v4) as a library: the same values
// coalescing, dependency conditions, schema validation, manifest sorting
// and output, byte for byte (test/corpus/charts is the oracle corpus).
//
// A chart comes from the repository or a chart cache as files in memory,
// never a path Helm would walk (a symlink cannot lead out). What a chart's
// templates do is bounded in a child process (pkg/proc's Isolate): its
// address space, its time and its output; lookup finds nothing, DNS is
// off, and values.schema.json references are resolved within the chart
// only (Helm would fetch an http $ref and read a file:// one).
package helm

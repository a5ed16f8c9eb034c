// Package tektoncheck checks Tekton and Triggers objects the way the
// cluster would (the CRD's OpenAPI schema, as the API server checks it;
// strict decoding, SetDefaults and Validate, as the admission webhooks do)
// and enforces Plumbline's own rules on them: metadata the Hub shows,
// images built by ko (sources) or pinned by digest (releases), no variables
// pasted into scripts, non-root steps, params declared and used, Pipelines
// wired to the Tasks they name and steps to the StepActions they run, no
// StepAction workingDir. hack/yamlcheck runs it on tasks/, pipelines/,
// triggers/ and stepactions/, hack/catalog on every released catalog file,
// so a rule added here holds for both.
//
// It imports tektoncd/* and k8s.io/apiextensions-apiserver, which must stay
// out of the image binaries.
package tektoncheck

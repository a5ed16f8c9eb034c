// Package tektoncheck checks Tekton and Triggers objects the way the
// admission webhooks would (strict decoding, SetDefaults, Validate) and
// enforces Plumbline's own rules on them: metadata the Hub shows, images
// built by ko (sources) or pinned by digest (releases), no variables pasted
// into scripts, non-root steps, params declared and used, Pipelines wired
// to the Tasks they name. hack/yamlcheck runs it on tasks/, pipelines/ and
// triggers/, hack/catalog on every released catalog file, so a rule added
// here holds for both.
//
// It imports tektoncd/*, which must stay out of the image binaries.
package tektoncheck

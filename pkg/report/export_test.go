package report

// BuildSARIF lets the writer tests validate the go-sarif log itself, not
// only its JSON.
var BuildSARIF = buildSARIF

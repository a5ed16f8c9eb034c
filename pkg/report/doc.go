// Package report is the ground floor of Plumbline: the Report every check
// produces, its JSON form (docs/report-format.md), merging, and one writer
// per output format behind the Writer interface.
//
// It imports no check; every check imports it.
package report

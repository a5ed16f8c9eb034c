package report

import "fmt"

// InputError is a problem at a place in an input file: a zone, a policy
// input, a policy, a waiver file, a report. Every parser returns this one
// type, so every check turns it into a finding the same way (Finding) and
// cli places a check's unfinished run at the file and line that stopped it.
type InputError struct {
	File         string
	Line, Column int // 0 when unknown
	Msg          string
}

func (e *InputError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Finding is the problem as a finding of rule at severity sev, at its
// file (relative to the working directory when below it) and position.
func (e *InputError) Finding(rule string, sev Severity) Finding {
	file := e.File
	if file != "" {
		file, _ = RelPath(file)
	}
	return Finding{Rule: rule, Severity: sev, File: file, Line: e.Line, Column: e.Column, Message: e.Msg}
}

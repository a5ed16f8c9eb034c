// Package merge is the report command: it finds the JSON reports that the
// checks of a pipeline run wrote, reads them, and merges them into one
// report. A report that is not there is a check that did not run, and says so.
package merge

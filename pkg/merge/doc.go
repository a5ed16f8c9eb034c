// Package merge is the report image's logic (the image is named for what
// it writes; pkg/report is the report model it writes). It reads exactly
// the JSON report files it is named, refuses any not written by the check
// it is named after or by this run, merges them into one report whose
// parts say which checks ran (Merge), and notifies GitHub and chats. A
// report that is not there is a check that did not run, and says so.
package merge

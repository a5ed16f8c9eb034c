// Package planted holds homelab repositories written with mistakes planted
// in them, each with its ground truth (planted.tsv) written before any
// check ran: what plumbline check finds on them with their own
// .plumbline.yaml is counted against what was planted (issue 33's goal:
// 90%), and every finding that matches no planted mistake is listed, so
// noise shows as plainly as a miss. docs/planted.md has the latest count.
package planted

// Package zonefile reads RFC 1035 zone (master) files exactly as BIND's
// named reads them, within budgets: which zone a file holds (Name), its
// records in file order (Records, for policies), and the parsed and opaque
// records a caller builds its own model from (Read). $INCLUDE is checked
// before the parser follows it: never out of the scanned root, never in a
// loop. Every problem is a *report.InputError at its file and line.
//
// It is a leaf: dns-zone-diff (pkg/dnszone) and policy-check's zone parser
// both read zones through it, without linking each other.
package zonefile

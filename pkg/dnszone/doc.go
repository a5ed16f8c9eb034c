// Package dnszone is the dns-zone-diff check: what a DNS change will do,
// before it is made. It reads the desired records (RFC 1035 zone files or
// our YAML format, docs/dns-format.md; zone files through pkg/zonefile)
// and the live ones (AXFR from a server, or files), normalises both, and
// plans per RRset: create, delete,
// update, ttl-only, and unmanaged. Safety rules (delete and update
// thresholds, the root NS guard, --expect-no-changes) turn an unsafe plan
// into error findings. It never writes to a server.
package dnszone

# METADATA
# title: Homelab DNS zones
# description: Zone files in policy-check's zone shape ({"origin", "records"}).
package homelab.dns

import rego.v1

zone_input if {
	is_string(input.origin)
	is_array(input.records)
}

# The zones this repository manages: data homelab.dns.zones, else the
# zone the file declares.
default managed := []

managed := [lower(z) | some z in data.homelab.dns.zones]

in_zone(name, zone) if name == zone

in_zone(name, zone) if endswith(name, concat("", [".", zone]))

fqdn(z) := z if endswith(z, ".")

fqdn(z) := concat("", [z, "."]) if not endswith(z, ".")

# METADATA
# title: Zones are managed
deny_unmanaged_zone contains {"msg": msg, "path": ["origin"]} if {
	zone_input
	count(managed) > 0
	not input.origin in {fqdn(z) | some z in managed}
	msg := sprintf("zone %s is not one of the managed zones %v", [input.origin, managed])
}

# METADATA
# title: Every record is inside its zone
deny_out_of_zone contains {"msg": msg, "path": ["records", i]} if {
	zone_input
	some i, r in input.records
	not in_zone(r.name, input.origin)
	msg := sprintf("%s %s is outside zone %s", [r.name, r.type, input.origin])
}

# METADATA
# title: No CNAME at the zone apex
# description: The apex holds SOA and NS records, and a CNAME may not share a name with other data (RFC 1034 3.6.2).
deny_apex_cname contains {"msg": msg, "path": ["records", i]} if {
	zone_input
	some i, r in input.records
	r.type == "CNAME"
	r.name == input.origin
	msg := sprintf("CNAME at the apex of %s", [input.origin])
}

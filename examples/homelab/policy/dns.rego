package dns

import rego.v1

# A CNAME cannot share its name with other data (RFC 1034 3.6.2).
deny contains msg if {
	some cname in input.records
	cname.type == "CNAME"
	some other in input.records
	other.name == cname.name
	other.type != "CNAME"
	msg := sprintf("%s has a CNAME and a %s record", [cname.name, other.type])
}

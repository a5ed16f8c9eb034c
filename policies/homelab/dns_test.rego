package homelab.dns_test

import rego.v1

import data.homelab.dns

zone := {"origin": "home.arpa.", "records": [
	{"name": "home.arpa.", "type": "SOA", "value": "ns1.home.arpa. admin.home.arpa. 1 3600 600 86400 300"},
	{"name": "nas.home.arpa.", "type": "A", "value": "10.0.20.5"},
]}

test_clean_zone if {
	count(dns.deny_out_of_zone) == 0 with input as zone
	count(dns.deny_apex_cname) == 0 with input as zone
	count(dns.deny_unmanaged_zone) == 0 with input as zone
}

test_out_of_zone if {
	doc := json.patch(zone, [{"op": "add", "path": "/records/-", "value": {"name": "nas.other.lan.", "type": "A"}}])
	{m.msg | some m in dns.deny_out_of_zone} == {"nas.other.lan. A is outside zone home.arpa."} with input as doc
}

test_apex_cname if {
	doc := json.patch(zone, [{"op": "add", "path": "/records/-", "value": {"name": "home.arpa.", "type": "CNAME", "value": "x.lan."}}])
	count(dns.deny_apex_cname) == 1 with input as doc
}

test_managed_zones_from_data if {
	count(dns.deny_unmanaged_zone) == 0 with input as zone with data.homelab.dns.zones as ["home.arpa"]
	count(dns.deny_unmanaged_zone) == 1 with input as zone with data.homelab.dns.zones as ["lab.test"]
}

test_not_a_zone if {
	count(dns.deny_out_of_zone) == 0 with input as {"records": "x"}
}

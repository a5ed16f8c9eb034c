package combined

import rego.v1

deny contains {"msg": msg, "path": [j, "contents", "metadata", "name"]} if {
	some i, a in input
	some j, b in input
	i < j
	a.contents.kind == b.contents.kind
	a.contents.metadata.name == b.contents.metadata.name
	msg := sprintf("%s %s is defined twice (%s, %s)", [a.contents.kind, a.contents.metadata.name, a.path, b.path])
}

package dnszone

import (
	"slices"

	"github.com/plumbline/plumbline/pkg/zonefile"
)

// addOpaque adds a record kept as written.
func (z *Zone) addOpaque(o zonefile.Opaque, file string) {
	name := zonefile.Canonical(o.Name)
	if !inZone(name, z.Origin) {
		return
	}
	k := Key{Name: name, Type: zonefile.TypeKey(o.Type)}
	s := z.Sets[k]
	if s == nil {
		s = &RRset{Key: k, TTL: o.TTL, File: file, Line: o.Line, Opaque: true}
		z.Sets[k] = s
	}
	if i, found := slices.BinarySearch(s.Values, o.Value); !found {
		s.Values = slices.Insert(s.Values, i, o.Value)
	}
	s.TTL = min(s.TTL, o.TTL)
}

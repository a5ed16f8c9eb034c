package zonefile

import (
	"bytes"
	"hash/maphash"
)

// OwnerIndex is OwnerLines kept small: the first line of each owner name,
// under a 64-bit hash of the name. A zone of 100,000 owners takes 2 MiB
// instead of 10, and building it makes no string. Two names of a zone
// sharing a hash (odds of about one in 10^9 for a million names) would
// share the earlier one's line.
type OwnerIndex struct {
	seed  maphash.Seed
	lines map[uint64]int32
}

// NewOwnerIndex indexes the owner lines of data, a zone file of origin.
func NewOwnerIndex(data []byte, origin string) *OwnerIndex {
	x := &OwnerIndex{seed: maphash.MakeSeed(), lines: make(map[uint64]int32, bytes.Count(data, []byte("\n"))+1)}
	eachOwner(data, origin, func(name []byte, n int) {
		h := maphash.Bytes(x.seed, name)
		if _, ok := x.lines[h]; !ok {
			x.lines[h] = int32(n)
		}
	})
	return x
}

// Line returns the first line a canonical name is an owner on, or 0.
func (x *OwnerIndex) Line(name string) int {
	return int(x.lines[maphash.String(x.seed, name)])
}

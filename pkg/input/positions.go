package input

// positions is the line of every node of a parsed value as a flat tree in
// depth-first order: one append per node while converting, where a map of
// path strings cost a string and a hash per node (most files never have a
// path looked up; every file pays for building).
type positions struct {
	nodes []position
}

type position struct {
	key    string // the map key, when index < 0
	index  int32  // the array index, or -1
	line   int32
	parent int32 // -1 for the root
	end    int32 // index just past this node's last descendant
}

// maxPositions bounds the nodes one input records (32 bytes each); past
// it, paths resolve to the deepest recorded ancestor.
const maxPositions = 1 << 20

// add records a node below parent and returns its index, or -1 when the
// budget is spent or parent was not recorded.
func (p *positions) add(parent int32, key string, index, line int) int32 {
	if len(p.nodes) >= maxPositions || parent < 0 && len(p.nodes) > 0 {
		return -1
	}
	i := int32(len(p.nodes))
	p.nodes = append(p.nodes, position{key: key, index: int32(index), line: int32(line), parent: parent, end: i + 1})
	return i
}

// done closes node i: its descendants are those added since.
func (p *positions) done(i int32) {
	if i >= 0 {
		p.nodes[i].end = int32(len(p.nodes))
	}
}

// line returns the line of the deepest part of path recorded, or 0. Of
// children with the same key (a key written twice), the last is the one
// the value holds.
func (p *positions) line(path []any, wide map[int32]*children) int {
	if len(p.nodes) == 0 {
		return 0
	}
	cur := int32(0)
	for _, step := range path {
		next := int32(-1)
		if kids := wide[cur]; kids != nil {
			next = kids.find(step)
		} else {
			n := p.nodes[cur]
			for c := cur + 1; c < n.end; c = p.nodes[c].end {
				if p.nodes[c].matches(step) {
					next = c
				}
			}
		}
		if next < 0 {
			break
		}
		cur = next
	}
	return int(p.nodes[cur].line)
}

// wideChildren is how many children make a node worth an index: a file of
// 20,000 documents scanned them all for each finding (quadratic).
const wideChildren = 32

// children indexes one node's children by key (the last of a key written
// twice, as line takes) and by index.
type children struct {
	byKey   map[string]int32
	byIndex map[int32]int32
}

func (k *children) find(step any) int32 {
	switch s := step.(type) {
	case string:
		if c, ok := k.byKey[s]; ok {
			return c
		}
	case int:
		if c, ok := k.byIndex[int32(s)]; ok {
			return c
		}
	}
	return -1
}

// wideIndex indexes the children of every node that has more than
// wideChildren, in one pass over the nodes.
func (p *positions) wideIndex() map[int32]*children {
	count := map[int32]int{}
	for _, n := range p.nodes {
		if n.parent >= 0 {
			count[n.parent]++
		}
	}
	wide := map[int32]*children{}
	for parent, c := range count {
		if c > wideChildren {
			wide[parent] = &children{byKey: map[string]int32{}, byIndex: map[int32]int32{}}
		}
	}
	if len(wide) == 0 {
		return nil
	}
	for i, n := range p.nodes {
		k := wide[n.parent]
		if n.parent < 0 || k == nil {
			continue
		}
		if n.index >= 0 {
			k.byIndex[n.index] = int32(i)
		} else {
			k.byKey[n.key] = int32(i)
		}
	}
	return wide
}

func (n position) matches(step any) bool {
	switch s := step.(type) {
	case string:
		return n.index < 0 && n.key == s
	case int:
		return n.index >= 0 && int(n.index) == s
	}
	return false
}

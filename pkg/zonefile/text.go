package zonefile

import "io"

// text is a zone file's text as preprocess hands it to the parser: long
// runs of the file's own lines, not copied, and the lines it rewrote (or
// left blank, for the records it read itself) in blocks of textBlock
// bytes. A copy of the whole file, sized up front, was a third of the
// peak memory of a zone of plain records, whose lines are all blank.
type text struct {
	data   []byte
	segs   [][]byte
	lo, hi int    // a run of data's lines not yet in segs (lo == hi: none)
	block  []byte // written bytes not yet in segs; the rest of its capacity is for more
}

const (
	textBlock = 64 << 10
	// A run of kept lines shorter than this is copied into the block: a
	// segment for each line between two rewritten ones costs more.
	minRun = 4 << 10
)

// keep adds data[lo:hi], lines the parser reads as written.
func (t *text) keep(lo, hi int) {
	if t.hi == lo && t.hi > t.lo {
		t.hi = hi
		return
	}
	t.flushRun()
	t.lo, t.hi = lo, hi
}

// write adds a rewritten line, with its newline.
func (t *text) write(line string) {
	t.flushRun()
	if cap(t.block)-len(t.block) < len(line)+1 {
		t.flushBlock()
		t.block = make([]byte, 0, max(textBlock, len(line)+1))
	}
	t.block = append(t.block, line...)
	t.block = append(t.block, '\n')
}

func (t *text) flushRun() {
	if t.hi == t.lo {
		return
	}
	run := t.data[t.lo:t.hi]
	t.lo, t.hi = 0, 0
	if len(run) >= minRun {
		t.flushBlock()
		t.segs = append(t.segs, run)
		return
	}
	if cap(t.block)-len(t.block) < len(run) {
		t.flushBlock()
		t.block = make([]byte, 0, textBlock)
	}
	t.block = append(t.block, run...)
}

func (t *text) flushBlock() {
	if len(t.block) > 0 {
		t.segs = append(t.segs, t.block)
		t.block = t.block[len(t.block):]
	}
}

// reader returns the text: its segments in order.
func (t *text) reader() io.Reader {
	t.flushRun()
	t.flushBlock()
	return &segReader{segs: t.segs}
}

// segReader reads segments one after the other (io.MultiReader without
// a reader for each).
type segReader struct {
	segs [][]byte
	off  int
}

func (s *segReader) Read(p []byte) (int, error) {
	for len(s.segs) > 0 && s.off == len(s.segs[0]) {
		s.segs, s.off = s.segs[1:], 0
	}
	if len(s.segs) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.segs[0][s.off:])
	s.off += n
	return n, nil
}

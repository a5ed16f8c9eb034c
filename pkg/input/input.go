package input

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Input is a parsed file: the value policies see as `input`, and a map
// from paths inside it back to source lines.
type Input struct {
	Value any
	// Duplicates are keys written twice in one YAML mapping: the value
	// keeps the last (as conftest reads it), the API server's strict
	// decoding refuses the document.
	Duplicates []Duplicate

	once  sync.Once
	lines Lines
	// positions, when set, place paths instead of lines (YAML).
	positions *positions
	// wide indexes the children of positions' wide nodes, made on the
	// first Line.
	wideOnce sync.Once
	wide     map[int32]*children
	build    func() Lines // when lines are costly, made on first use
	// names are words a message may use for an object (HCL's
	// "aws_instance.web"), with the object's line.
	names map[string]int
	// locate, for an input rendered from several files (a kustomization),
	// gives the file and line each path came from.
	locate func(path []any) (file string, line int)
}

// WithLines is an input whose paths are placed by lines (keys made with
// Key and Child); names, when given, are words a message may use for an
// object, with its line (Guess).
func WithLines(value any, lines Lines, names map[string]int) *Input {
	return &Input{Value: value, lines: lines, names: names}
}

// Lazy is an input whose lines are made by build on the first lookup,
// for formats where placing them costs more than parsing.
func Lazy(value any, build func() Lines) *Input {
	return &Input{Value: value, build: build}
}

// Rendered is an input made from other files, each path placed by locate
// in the file and line it came from.
func Rendered(value any, locate func(path []any) (file string, line int)) *Input {
	return &Input{Value: value, locate: locate}
}

// Locate returns the file (empty: the input's own) and line of path.
func (in *Input) Locate(path []any) (file string, line int) {
	if in.locate != nil {
		return in.locate(path)
	}
	return "", in.Line(path)
}

// Line returns the line of the deepest part of path the file has a
// position for, or 0. Path elements are object keys (string) and array
// indexes (int).
func (in *Input) Line(path []any) int {
	if in.positions != nil {
		in.wideOnce.Do(func() { in.wide = in.positions.wideIndex() })
		return in.positions.line(path, in.wide)
	}
	in.once.Do(func() {
		if in.build != nil {
			in.lines = in.build()
		}
	})
	for n := len(path); n >= 0; n-- {
		if l, ok := in.lines.Get(Key(path[:n])); ok && l > 0 {
			return l
		}
	}
	return 0
}

// Guess returns the line of the longest object name that msg mentions as a
// whole word, or 0.
func (in *Input) Guess(msg string) int {
	best, line := 0, 0
	for name, l := range in.names {
		if len(name) <= best {
			continue
		}
		if i := strings.Index(msg, name); i >= 0 && wordAt(msg, i, len(name)) {
			best, line = len(name), l
		}
	}
	return line
}

func wordAt(s string, i, n int) bool {
	word := func(b byte) bool {
		return b == '_' || b == '-' || b == '.' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
	}
	return (i == 0 || !word(s[i-1])) && (i+n == len(s) || !word(s[i+n]) || s[i+n] == '.' && (i+n+1 == len(s) || !word(s[i+n+1])))
}

// Key encodes a path like a JSON pointer ("/spec/containers/0").
func Key(path []any) string {
	var b strings.Builder
	for _, p := range path {
		b.WriteByte('/')
		switch v := p.(type) {
		case string:
			b.WriteString(strings.ReplaceAll(strings.ReplaceAll(v, "~", "~0"), "/", "~1"))
		case int:
			b.WriteString(strconv.Itoa(v))
		}
	}
	return b.String()
}

// Child is the path key of k below key. Keys longer than maxPathKey stop
// growing: what is nested deeper shares its ancestor's key (and line), so
// a deep input with long keys cannot make the map quadratic in size.
func Child(key string, k any) string {
	if len(key) > maxPathKey {
		return key
	}
	return key + Key([]any{k})
}

// Budgets of the line map: the longest path key, and the bytes of keys
// one input may hold; past them, lines are found at an ancestor.
const (
	maxPathKey   = 4 << 10
	maxLineBytes = 32 << 20
)

// Lines maps path keys to lines within maxLineBytes of keys.
type Lines struct {
	m     map[string]int
	bytes int
}

func (l *Lines) Has(key string) bool {
	_, ok := l.m[key]
	return ok
}

func (l *Lines) Set(key string, line int) {
	if l.m == nil {
		l.m = map[string]int{}
	}
	if _, ok := l.m[key]; !ok {
		if l.bytes+len(key) > maxLineBytes {
			return
		}
		l.bytes += len(key)
	}
	l.m[key] = line
}

func (l *Lines) Get(key string) (int, bool) {
	v, ok := l.m[key]
	return v, ok
}

// LineCount counts lines as YAML does: \n, \r\n and a lone \r each end one.
func LineCount(data []byte) int {
	n := 1
	for i, b := range data {
		if b == '\n' || b == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
			n++
		}
	}
	return n
}

// CheckNumbers refuses numbers OPA cannot hold (1e70000): better a parse
// error naming the file than an evaluation error later.
func CheckNumbers(v any) error {
	switch t := v.(type) {
	case map[string]any:
		for _, e := range t {
			if err := CheckNumbers(e); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range t {
			if err := CheckNumbers(e); err != nil {
				return err
			}
		}
	case json.Number:
		if _, err := strconv.ParseFloat(string(t), 64); err != nil {
			return fmt.Errorf("number %.40s is out of range", t)
		}
	}
	return nil
}

// Duplicate is a key written twice in a YAML mapping: in document Doc of
// the file (-1 when it has one), at the second one's line.
type Duplicate struct {
	Doc  int
	Line int
	Key  string
}

// maxDuplicates bounds what a file's duplicates cost to keep.
const maxDuplicates = 1000

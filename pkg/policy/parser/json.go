package parser

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/plumbline/plumbline/pkg/input"
	"io"
	"unicode/utf8"

	"github.com/plumbline/plumbline/pkg/report"
)

// jsonParser reads one JSON value. Numbers keep their text (json.Number),
// so large integers survive; positions are found only if a finding asks.
type jsonParser struct{}

var _ Parser = jsonParser{}

func (jsonParser) Parse(name string, data []byte) (*input.Input, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	v, err := decodeJSON(name, data)
	if err != nil {
		return nil, err
	}
	return input.Lazy(v, func() input.Lines { return jsonLines(data) }), nil
}

func decodeJSON(name string, data []byte) (any, error) {
	// encoding/json turns invalid UTF-8 into U+FFFD silently; JSON must be
	// UTF-8 (RFC 8259), and conftest's reader would see other bytes.
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		line, col := lineCol(data, int64(off))
		return nil, &report.InputError{File: name, Line: line, Column: col, Msg: fmt.Sprintf("invalid UTF-8 (byte 0x%02x): JSON is UTF-8", data[off])}
	}
	if off, over := jsonValuesPast(data, input.MaxNodes); over {
		line, col := lineCol(data, int64(off))
		return nil, &report.InputError{File: name, Line: line, Column: col, Msg: fmt.Sprintf("more than %d values: data, not configuration (budget)", input.MaxNodes)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, jsonError(name, data, dec.InputOffset(), err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, jsonError(name, data, dec.InputOffset(), errors.New("unexpected data after the JSON value"))
	}
	if err := input.CheckNumbers(v); err != nil {
		return nil, &report.InputError{File: name, Msg: err.Error()}
	}
	return v, nil
}

func jsonError(name string, data []byte, off int64, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	case errors.Is(err, io.EOF):
		return &report.InputError{File: name, Msg: "empty file: no JSON value"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		off = int64(len(data))
		err = errors.New("unexpected end of JSON input")
	}
	line, col := lineCol(data, off)
	return &report.InputError{File: name, Line: line, Column: col, Msg: err.Error()}
}

func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// jsonLines maps every path of a valid JSON document to the line its value
// starts on, by walking the tokens once.
func jsonLines(data []byte) input.Lines {
	lines := input.Lines{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	nl := newlines(data)
	lineAt := func(off int64) int { return lineOf(nl, skipSpace(data, off)) }
	type frame struct {
		path  string
		array bool
		index int
		key   string
		keyed bool // key holds the key of the value to come
	}
	var stack []frame
	// next is the path of the value about to start.
	next := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := &stack[len(stack)-1]
		if f.array {
			return input.Child(f.path, f.index)
		}
		return input.Child(f.path, f.key)
	}
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return lines
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				if f := &stack[len(stack)-1]; f.array {
					f.index++
				} else {
					f.keyed = false
				}
			}
			continue
		}
		if len(stack) > 0 && !stack[len(stack)-1].array && !stack[len(stack)-1].keyed {
			if k, ok := tok.(string); ok {
				stack[len(stack)-1].key, stack[len(stack)-1].keyed = k, true
				lines.Set(input.Child(stack[len(stack)-1].path, k), lineAt(off))
				continue
			}
		}
		p := next()
		if !lines.Has(p) || len(stack) > 0 && stack[len(stack)-1].array {
			lines.Set(p, lineAt(off))
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, frame{path: p, array: d == '['})
			continue
		}
		if len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.array {
				f.index++
			} else {
				f.keyed = false
			}
		}
	}
}

func newlines(data []byte) []int {
	var nl []int
	for i, b := range data {
		if b == '\n' {
			nl = append(nl, i)
		}
	}
	return nl
}

func lineOf(nl []int, off int) int {
	lo, hi := 0, len(nl)
	for lo < hi {
		m := (lo + hi) / 2
		if nl[m] < off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo + 1
}

// skipSpace moves off past white space, commas and colons: InputOffset is
// where the previous token ended.
func skipSpace(data []byte, off int64) int {
	i := int(off)
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n', ',', ':':
			i++
			continue
		}
		break
	}
	return i
}

// jsonValuesPast counts JSON values (each array element, each member, each
// container) without decoding them, outside strings, and says where the
// count passes limit: decoding past it costs a check's memory for nothing.
func jsonValuesPast(data []byte, limit int) (int, bool) {
	if len(data) < limit {
		return 0, false // each value counted is a byte of its own
	}
	n, inString, escaped := 1, false, false
	for i, b := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
			}
		case b == '"':
			inString = true
		case b == ',' || b == '[' || b == '{':
			if n++; n > limit {
				return i, true
			}
		}
	}
	return 0, false
}

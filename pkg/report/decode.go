package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"
)

// RulePathAbsolute: Decode keeps a finding whose file is an absolute path
// (a report must name files relative to the scanned root), with the path
// in its message, and adds this warning.
const RulePathAbsolute = "report/path-absolute"

// Decode reads a report in the JSON form documented in docs/report-format.md.
// It is strict, since a report decides a verdict: an unknown field or a key
// given twice ("findings":[...],"findings":[] would read as no findings to
// a last-wins reader) is refused, as are missing or malformed required
// fields, each a *InputError naming the line.
func Decode(name string, data []byte) (*Report, error) {
	d := &decoder{name: name, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	d.dec.DisallowUnknownFields()
	r, err := d.report()
	if err != nil {
		var pe *InputError
		if errors.As(err, &pe) {
			return nil, pe
		}
		return nil, d.errAt(d.dec.InputOffset(), "%s", cleanJSONError(err))
	}
	return r, nil
}

type decoder struct {
	name string
	data []byte
	dec  *json.Decoder
	// overBudget is where the finding past MaxFindings starts, if any.
	overBudget int64
	// absolute counts findings whose file was an absolute path.
	absolute int
}

func (d *decoder) report() (*Report, error) {
	if off, key, dup := duplicateKey(d.data); dup {
		return nil, d.errAt(off, "%q given twice", Truncate(key, 64))
	}
	if err := d.delim('{', "a JSON object"); err != nil {
		return nil, err
	}
	r := &Report{}
	var seenTool, seenFindings bool
	for d.dec.More() {
		start := d.next()
		tok, err := d.dec.Token()
		if err != nil {
			return nil, d.wrap(start, err)
		}
		key, _ := tok.(string)
		start = d.next()
		switch key {
		case "tool":
			seenTool = true
			err = d.value(start, &r.Tool)
		case "version":
			err = d.value(start, &r.Version)
		case "run":
			err = d.value(start, &r.Run)
		case "skipped":
			err = d.value(start, &r.Skipped)
		case "newSince":
			err = d.value(start, &r.NewSince)
		case "seconds":
			err = d.value(start, &r.Seconds)
		case "summary":
			err = d.value(start, &r.Summary)
		case "checks":
			err = d.value(start, &r.Checks)
		case "details":
			err = d.value(start, &r.Details)
		case "counts":
			err = d.value(start, &r.Counts)
		case "findings":
			seenFindings = true
			r.Findings, err = d.findings()
		default:
			err = d.errAt(start, "unknown field %q", Truncate(key, 64))
		}
		if err != nil {
			return nil, err
		}
	}
	if err := d.delim('}', "end of object"); err != nil {
		return nil, err
	}
	if end := d.next(); end < int64(len(d.data)) {
		return nil, d.errAt(end, "unexpected data after the report object")
	}
	switch {
	case !seenTool || strings.TrimSpace(r.Tool) == "":
		return nil, d.errAt(0, `missing "tool": not a Plumbline report`)
	case !seenFindings:
		return nil, d.errAt(0, `missing "findings": not a Plumbline report`)
	}
	for i, c := range r.Checks {
		if c.Tool == "" {
			return nil, d.errAt(0, "checks[%d]: missing tool", i)
		}
	}
	if d.overBudget > 0 && len(r.Checks) == 0 {
		return nil, d.errAt(d.overBudget, "more than %d findings: over the budget of one report", MaxFindings)
	}
	if d.absolute > 0 {
		r.Findings = append(r.Findings, Finding{Rule: RulePathAbsolute, Severity: Warning, Tool: r.Tool,
			Message: fmt.Sprintf("%s: %d findings name an absolute path, not one relative to the scanned root; their file is in the message", d.name, d.absolute)})
	}
	return r, nil
}

func (d *decoder) findings() ([]Finding, error) {
	if err := d.delim('[', `"findings" as an array`); err != nil {
		return nil, err
	}
	fs := []Finding{}
	for i := 0; d.dec.More(); i++ {
		start := d.next()
		switch i {
		case MaxFindings:
			d.overBudget = start
		case MaxMergedFindings:
			return nil, d.errAt(start, "more than %d findings: over the budget of a merged report", MaxMergedFindings)
		}
		var f Finding
		if err := d.value(start, &f); err != nil {
			return nil, err
		}
		// A path report cannot use costs the finding its place, not the
		// report its findings: the file moves into the message.
		if path.IsAbs(f.File) || strings.HasPrefix(f.File, `\`) {
			f.Message += " (in " + f.File + ")"
			f.File, f.Line, f.Column, f.EndLine, f.EndColumn = "", 0, 0, 0, 0
			d.absolute++
		}
		if msg := validate(f); msg != "" {
			return nil, d.errAt(start, "finding %d: %s", i, msg)
		}
		f.Bound()
		fs = append(fs, f)
	}
	BoundDiffs(fs)
	return fs, d.delim(']', "end of findings")
}

func validate(f Finding) string {
	switch {
	case strings.TrimSpace(f.Rule) == "":
		return "missing rule"
	case f.Severity == 0:
		return "missing severity"
	case strings.TrimSpace(f.Message) == "":
		return "missing message"
	case f.Line < 0 || f.Column < 0 || f.EndLine < 0 || f.EndColumn < 0:
		return "negative line or column"
	case f.EndLine != 0 && f.EndLine < f.Line:
		return fmt.Sprintf("endLine %d before line %d", f.EndLine, f.Line)
	}
	return ""
}

// value decodes one JSON value that starts at offset start.
func (d *decoder) value(start int64, v any) error {
	err := d.dec.Decode(v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// te.Offset is relative to a buffer the decoder keeps to itself;
		// point at the value being decoded instead.
		field := te.Field
		if field == "" {
			field = "value"
		}
		return d.errAt(start, "%s: want %s, got %s", field, te.Type, te.Value)
	}
	return d.wrap(start, err)
}

// duplicateKey finds the first key given twice in one object of data and
// its offset, in one pass that allocates only for a key with an escape.
// Keys are compared as encoding/json matches them to fields: unescaped,
// and without regard to case ("Findings" sets what "findings" does). data
// that is not valid JSON may give no answer; the decoder then refuses it.
func duplicateKey(data []byte) (int64, string, bool) {
	type span struct{ start, end int } // a key's raw text, quotes excluded
	var stack [][]span                 // per open container: its keys (nil in an array)
	expectKey := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '{':
			stack = append(stack, []span{})
			expectKey = true
		case '[':
			stack = append(stack, nil)
			expectKey = false
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			expectKey = false
		case ',':
			expectKey = len(stack) > 0 && stack[len(stack)-1] != nil
		case '"':
			j := i + 1
			for j < len(data) && data[j] != '"' {
				if data[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(data) {
				return 0, "", false
			}
			if expectKey && len(stack) > 0 {
				keys := stack[len(stack)-1]
				k := span{i + 1, j}
				for _, prev := range keys {
					if sameKey(data[prev.start:prev.end], data[k.start:k.end]) {
						return int64(i), unquote(data[k.start:k.end]), true
					}
				}
				stack[len(stack)-1] = append(keys, k)
				expectKey = false
			}
			i = j
		}
	}
	return 0, "", false
}

func sameKey(a, b []byte) bool {
	if bytes.IndexByte(a, '\\') < 0 && bytes.IndexByte(b, '\\') < 0 {
		return bytes.EqualFold(a, b)
	}
	return strings.EqualFold(unquote(a), unquote(b))
}

func unquote(raw []byte) string {
	var s string
	if err := json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s); err != nil {
		return string(raw)
	}
	return s
}

func (d *decoder) delim(want json.Delim, what string) error {
	start := d.next()
	tok, err := d.dec.Token()
	if err != nil {
		return d.wrap(start, err)
	}
	if got, ok := tok.(json.Delim); !ok || got != want {
		return d.errAt(start, "want %s", what)
	}
	return nil
}

// wrap positions a decoding error: syntax errors carry their own offset,
// others are placed at start.
func (d *decoder) wrap(start int64, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return d.errAt(se.Offset, "%s", se.Error())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return d.errAt(int64(len(d.data)), "unexpected end of file")
	}
	return d.errAt(start, "%s", cleanJSONError(err))
}

// next returns the offset of the next value, past white space and a comma.
func (d *decoder) next() int64 {
	off := d.dec.InputOffset()
	for off < int64(len(d.data)) {
		switch d.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (d *decoder) errAt(off int64, format string, args ...any) *InputError {
	line, col := position(d.data, off)
	return &InputError{File: d.name, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// position turns a byte offset into a 1-based line and a column in runes.
func position(data []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(data))))
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, utf8.RuneCount(before) + 1
}

func cleanJSONError(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}

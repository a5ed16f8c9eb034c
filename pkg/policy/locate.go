package policy

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/plumbline/plumbline/pkg/report"
)

// finding turns an outcome into a report finding and finds its place:
// _loc from the policy if it gave one; else the path it gave (_path or
// path in the result object) mapped to a source line; else, for HCL, the
// block the message names ("proxmox_vm.web"); else the document's first
// line.
func (r *run) finding(l located) report.Finding {
	f := report.Finding{Rule: l.ID(), Message: l.Message, Help: r.e.Help(l.ID())}
	if l.file >= 0 {
		if b := r.builds[l.file]; b != nil {
			// Which overlay: the same base line may fail in one and not another.
			f.Message = b.Dir + ": " + f.Message
		}
	}
	switch l.Kind {
	case Failure:
		f.Severity = report.Error
	case Warning:
		f.Severity = report.Warning
	default:
		f.Severity = report.Note
	}
	if l.file >= 0 {
		f.File = r.rels[l.file]
	}
	if loc, ok := l.Metadata["_loc"].(map[string]any); ok {
		if file, ok := loc["file"].(string); ok && file != "" {
			f.File, _ = report.RelPath(file)
		}
		f.Line = intOf(loc["line"])
		f.Column = intOf(loc["column"])
		if f.Line > 0 {
			return f
		}
	}
	if l.input == nil {
		return f
	}
	// A rendered input places each path in the file it came from.
	place := func(p []any) int {
		file, line := l.input.Locate(p)
		if line > 0 && file != "" {
			f.File, _ = report.RelPath(file)
		}
		return line
	}
	if p := metaPath(l.Metadata); p != nil {
		if line := place(append(slices.Clone(l.doc), p...)); line > 0 {
			f.Line = line
			return f
		}
	}
	if line := l.input.Guess(l.Message); line > 0 {
		f.Line = line
		return f
	}
	f.Line = place(l.doc)
	return f
}

func intOf(v any) int {
	switch n := v.(type) {
	case json.Number:
		i, _ := n.Int64()
		return int(i)
	case float64:
		return int(n)
	case int:
		return n
	case string:
		i, _ := strconv.Atoi(n)
		return i
	}
	return 0
}

// metaPath reads the path a policy gave for its finding: an array of keys
// and indexes, a JSON pointer ("/spec/containers/0"), or a dotted path
// ("spec.containers[0].image").
func metaPath(meta map[string]any) []any {
	for _, key := range []string{"_path", "path"} {
		switch p := meta[key].(type) {
		case []any:
			out := make([]any, 0, len(p))
			for _, e := range p {
				switch e := e.(type) {
				case string:
					out = append(out, e)
				case json.Number:
					i, err := e.Int64()
					if err != nil {
						return nil
					}
					out = append(out, int(i))
				default:
					return nil
				}
			}
			return out
		case string:
			return parsePath(p)
		}
	}
	return nil
}

func parsePath(s string) []any {
	var out []any
	if strings.HasPrefix(s, "/") {
		for _, part := range strings.Split(s[1:], "/") {
			part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
			out = append(out, indexOrKey(part))
		}
		return out
	}
	for _, part := range strings.Split(s, ".") {
		for part != "" {
			i := strings.IndexByte(part, '[')
			if i < 0 {
				out = append(out, part)
				break
			}
			if i > 0 {
				out = append(out, part[:i])
			}
			j := strings.IndexByte(part[i:], ']')
			if j < 0 {
				return nil
			}
			out = append(out, indexOrKey(strings.Trim(part[i+1:i+j], `"'`)))
			part = part[i+j+1:]
		}
	}
	return out
}

func indexOrKey(s string) any {
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return n
	}
	return s
}

// withPath returns meta with its path replaced (nil removes it).
func withPath(meta map[string]any, p []any) map[string]any {
	m := maps.Clone(meta)
	delete(m, "path")
	delete(m, "_path")
	if p != nil {
		m["_path"] = toJSONPath(p)
	}
	return m
}

func toJSONPath(p []any) []any {
	out := make([]any, len(p))
	for i, e := range p {
		if n, ok := e.(int); ok {
			out[i] = json.Number(strconv.Itoa(n))
		} else {
			out[i] = e
		}
	}
	return out
}

func sortByPath(idx []int, path func(int) string) {
	slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(path(a), path(b)) })
}

package parser

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/plumbline/plumbline/pkg/input"
	"math"
	"strconv"
	"strings"

	"github.com/plumbline/plumbline/internal/shlex"
	"github.com/plumbline/plumbline/pkg/report"
)

// iniParser reads INI files in conftest's shape (section -> key -> value,
// numbers and booleans typed, keys before any section dropped) and also
// reads Ansible INI inventories, which conftest's parser refuses: a host
// line ("web1 ansible_host=10.0.0.5 ansible_user=admin") becomes
// section -> host -> its variables, a bare host or child group -> {}.
type iniParser struct{}

var _ Parser = iniParser{}

func (iniParser) Parse(name string, data []byte) (*input.Input, error) {
	out := map[string]any{}
	lines := input.Lines{}
	var section map[string]any
	path := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, &report.InputError{File: name, Line: n, Msg: "section header has no closing ]"}
			}
			sec := strings.TrimSpace(line[1:end])
			if sec == "" {
				return nil, &report.InputError{File: name, Line: n, Msg: "empty section name"}
			}
			path = input.Child("", sec)
			if sec == "DEFAULT" {
				section, path = map[string]any{}, "" // conftest drops it
				continue
			}
			if _, ok := out[sec]; !ok {
				out[sec] = map[string]any{}
				lines.Set(path, n)
			}
			section = out[sec].(map[string]any)
			continue
		}
		if section == nil { // keys before the first section: go-ini's DEFAULT
			section = map[string]any{}
		}
		key, val, isKV := strings.Cut(line, "=")
		if !isKV {
			key, val, isKV = strings.Cut(line, ":")
		}
		key = strings.TrimSpace(key)
		if isKV && !strings.ContainsAny(key, " \t") && key != "" {
			section[key] = iniValue(unquote(stripComment(strings.TrimSpace(val))))
			if path != "" {
				lines.Set(input.Child(path, key), n)
			}
			continue
		}
		host, vars, err := hostLine(line)
		if err != nil {
			return nil, &report.InputError{File: name, Line: n, Msg: err.Error()}
		}
		section[host] = vars
		if path != "" {
			lines.Set(input.Child(path, host), n)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &report.InputError{File: name, Line: n + 1, Msg: err.Error()}
	}
	return input.WithLines(out, lines, nil), nil
}

// hostLine splits "host k=v k2='v 2'" into the host and its variables.
func hostLine(line string) (string, map[string]any, error) {
	fields, err := shlex.Split(line)
	if err != nil {
		return "", nil, err
	}
	if len(fields) == 0 {
		return "", nil, errors.New("empty host line")
	}
	vars := map[string]any{}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			return "", nil, fmt.Errorf("host variable %q: want key=value", f)
		}
		vars[k] = iniValue(v)
	}
	return fields[0], vars, nil
}

func stripComment(s string) string {
	for i := 1; i < len(s); i++ {
		if (s[i] == '#' || s[i] == ';') && (s[i-1] == ' ' || s[i-1] == '\t') {
			return strings.TrimSpace(s[:i])
		}
	}
	return s
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// iniValue types a value as conftest does: a finite number, then a
// boolean (strconv.ParseBool), else the string.
func iniValue(s string) any {
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	}
	if b, err := strconv.ParseBool(s); err == nil {
		return b
	}
	return s
}

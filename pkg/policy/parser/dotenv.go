package parser

import (
	"bufio"
	"bytes"
	"github.com/plumbline/plumbline/pkg/input"
	"regexp"
	"strings"

	"github.com/plumbline/plumbline/pkg/report"
)

// dotenvParser reads .env files (KEY=value, optional "export", quotes,
// comments, ${VAR} expansion from earlier keys) into KEY -> string, the
// shape of conftest's dotenv parser. Unlike it, a bad line is reported with
// its number.
type dotenvParser struct{}

var _ Parser = dotenvParser{}

var (
	envKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)
	envRef = regexp.MustCompile(`\\?\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\\?\$([A-Za-z_][A-Za-z0-9_]*)`)
)

func (dotenvParser) Parse(name string, data []byte) (*input.Input, error) {
	out := map[string]any{}
	lines := input.Lines{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			key, val, ok = strings.Cut(line, ":")
		}
		key = strings.TrimSpace(key)
		if !ok || !envKey.MatchString(key) {
			return nil, &report.InputError{File: name, Line: n, Msg: "want KEY=value"}
		}
		val = strings.TrimSpace(val)
		switch {
		case len(val) >= 2 && val[0] == '\'' && strings.HasSuffix(val, "'"):
			val = val[1 : len(val)-1]
		case len(val) >= 2 && val[0] == '"' && strings.HasSuffix(val, `"`):
			val = expand(strings.NewReplacer(`\n`, "\n", `\r`, "\r", `\"`, `"`, `\\`, `\`).Replace(val[1:len(val)-1]), out)
		case len(val) > 0 && (val[0] == '"' || val[0] == '\''):
			return nil, &report.InputError{File: name, Line: n, Msg: "unclosed quote"}
		default:
			val = expand(stripComment(val), out)
		}
		out[key] = val
		lines.Set(input.Child("", key), n)
	}
	if err := sc.Err(); err != nil {
		return nil, &report.InputError{File: name, Line: n + 1, Msg: err.Error()}
	}
	return input.WithLines(out, lines, nil), nil
}

// expand replaces $VAR and ${VAR} with earlier keys of the file, else the
// empty (gotenv would read the environment); \$ keeps a dollar.
func expand(s string, vars map[string]any) string {
	return envRef.ReplaceAllStringFunc(s, func(m string) string {
		if m[0] == '\\' {
			return m[1:]
		}
		name := strings.Trim(m, "${}")
		if v, ok := vars[name].(string); ok {
			return v
		}
		return "" // never the environment: a pipeline's secrets must not reach policy input
	})
}

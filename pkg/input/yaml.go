package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/plumbline/plumbline/pkg/report"
	"gopkg.in/yaml.v3"
)

// MaxNodes bounds the nodes one file may expand to (YAML aliases included):
// a "billion laughs" file is a few hundred bytes. Past a million values
// a file is data, not configuration, and its evaluation would not fit a
// check's memory (a 3.9M-item list never finished: issue 30).
const MaxNodes = 1_000_000

const maxDepth = 5000

// YAML reads YAML the way conftest does (YAML 1.1 scalars: yes/no and
// on/off are booleans; several documents become an array of them) but
// keeps every node's line: the block-style reader when it can, yaml.v3
// otherwise. name is used in errors only.
func YAML(name string, data []byte) (*Input, error) {
	// Both readers hold every line or node before the budget can be
	// counted on them (3.9M items: 819 MiB in yaml.v3): lines that surely
	// hold a node are counted first.
	if line, over := nodeLinesPast(data, MaxNodes); over {
		return nil, &report.InputError{File: name, Line: line, Msg: fmt.Sprintf("more than %d nodes: data, not configuration (budget)", MaxNodes)}
	}
	if v, pos, ok := parseFast(data); ok {
		return &Input{Value: v, positions: &pos}, nil
	}
	return parseYAML(name, data)
}

// parseYAML is Parse by yaml.v3, for any YAML.
func parseYAML(name string, data []byte) (*Input, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, yamlError(name, err, LineCount(data))
		}
		docs = append(docs, &n)
	}
	c := &yamlConv{file: name, budget: MaxNodes, last: LineCount(data), doc: -1}
	if len(docs) == 1 {
		v, err := c.value(docs[0], -1, "", -1, 0, 0, true)
		if err != nil {
			return nil, err
		}
		return &Input{Value: v, positions: &c.pos, Duplicates: c.dups}, nil
	}
	// Several documents: the root is their array, which has no line.
	root := c.pos.add(-1, "", -1, 0)
	all := make([]any, 0, len(docs))
	for i, d := range docs {
		c.doc = i
		v, err := c.value(d, root, "", i, 0, 0, true)
		if err != nil {
			return nil, err
		}
		all = append(all, v)
	}
	c.pos.done(root)
	return &Input{Value: all, positions: &c.pos, Duplicates: c.dups}, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

func yamlError(file string, err error, last int) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &report.InputError{File: file, Line: min(line, last), Msg: msg[len(m[0]):]}
	}
	return &report.InputError{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

type yamlConv struct {
	file   string
	budget int
	pos    positions
	active map[*yaml.Node]bool // anchors being expanded, to refuse cycles
	last   int                 // the file's last line: an empty last document claims the next
	doc    int                 // the document being converted (-1: the only one)
	dups   []Duplicate
}

func (c *yamlConv) fail(n *yaml.Node, format string, args ...any) error {
	return &report.InputError{File: c.file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)}
}

// value converts n, the child of parent named by key (a mapping) or index
// (a sequence, else -1), whose line is line (a mapping value's is its
// key's) or else n's own. record is false inside an alias, whose nodes
// belong to the anchor's position.
func (c *yamlConv) value(n *yaml.Node, parent int32, key string, index, line, depth int, record bool) (any, error) {
	if c.budget--; c.budget < 0 {
		return nil, c.fail(n, "document expands to more than %d nodes (alias bomb?)", MaxNodes)
	}
	if depth > maxDepth {
		return nil, c.fail(n, "nested deeper than %d levels", maxDepth)
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0], parent, key, index, line, depth+1, record)
	}
	self := int32(-1)
	if record {
		if line == 0 {
			line = min(n.Line, c.last)
		}
		self = c.pos.add(parent, key, index, line)
		defer c.pos.done(self)
	}
	switch n.Kind {
	case yaml.AliasNode:
		if c.active[n.Alias] {
			return nil, c.fail(n, "alias *%s refers to itself", n.Value)
		}
		if c.active == nil {
			c.active = map[*yaml.Node]bool{}
		}
		c.active[n.Alias] = true
		defer delete(c.active, n.Alias)
		return c.value(n.Alias, -1, "", -1, 0, depth+1, false)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, e := range n.Content {
			v, err := c.value(e, self, "", i, 0, depth+1, record)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		return c.mapping(n, self, depth, record)
	case yaml.ScalarNode:
		return c.scalar(n)
	}
	return nil, c.fail(n, "unexpected YAML node")
}

func (c *yamlConv) mapping(n *yaml.Node, self int32, depth int, record bool) (any, error) {
	out := make(map[string]any, len(n.Content)/2)
	var seen map[string]bool
	// Merge keys (<<) give defaults that explicit keys override, wherever
	// they appear in the mapping.
	var merged []map[string]any
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Style == 0 && (k.Tag == "!!merge" || k.Tag == "") {
			srcs := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				srcs = v.Content
			}
			for _, s := range srcs {
				mv, err := c.value(s, -1, "", -1, 0, depth+1, false)
				if err != nil {
					return nil, err
				}
				m, ok := mv.(map[string]any)
				if !ok {
					return nil, c.fail(s, "a merge key (<<) needs a mapping")
				}
				merged = append(merged, m)
			}
			continue
		}
		key, err := c.key(k)
		if err != nil {
			return nil, err
		}
		if record {
			if seen == nil {
				seen = make(map[string]bool, len(n.Content)/2)
			}
			if seen[key] && len(c.dups) < maxDuplicates {
				c.dups = append(c.dups, Duplicate{Doc: c.doc, Line: k.Line, Key: key})
			}
			seen[key] = true
		}
		val, err := c.value(v, self, key, -1, k.Line, depth+1, record)
		if err != nil {
			return nil, err
		}
		out[key] = val
	}
	// Explicit keys win, then earlier merge sources over later ones, as in
	// YAML 1.1: each key is set by the first that has it.
	for _, m := range merged {
		for k, v := range m {
			if _, ok := out[k]; !ok {
				out[k] = v
			}
		}
	}
	return out, nil
}

func (c *yamlConv) key(k *yaml.Node) (string, error) {
	if k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		return "", c.fail(k, "a mapping key must be a scalar")
	}
	v, err := c.scalar(k)
	if err != nil {
		return "", err
	}
	return keyString(v, k.Value), nil
}

// keyString is the string a scalar key's value v (written raw) becomes.
func keyString(v any, raw string) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return v.String()
	}
	return raw
}

var (
	yamlInt   = regexp.MustCompile(`^[-+]?(0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|0b[01_]+|0[0-7_]+)$`)
	yamlFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$`)
)

// scalar resolves a scalar like YAML 1.1 (go-yaml v2, which conftest uses
// through sigs.k8s.io/yaml): quoted is always a string; timestamps stay
// strings.
func (c *yamlConv) scalar(n *yaml.Node) (any, error) {
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Value, nil
	}
	s := n.Value
	if n.Style&yaml.TaggedStyle != 0 {
		switch n.ShortTag() {
		case "!!str", "!!binary", "!!timestamp":
			return s, nil
		case "!!null":
			return nil, nil
		case "!!bool":
			if b, ok := yaml11Bool(s); ok {
				return b, nil
			}
			return nil, c.fail(n, "%q is not a boolean", s)
		case "!!int", "!!float":
			if v, ok := yamlNumber(s); ok {
				return v, nil
			}
			return nil, c.fail(n, "%q is not a number", s)
		}
	}
	return PlainScalar(s), nil
}

// PlainScalar is the value of an untagged plain scalar in YAML 1.1, as
// this parser and kubectl read it: null, a boolean, a json.Number, else
// the text.
func PlainScalar(s string) any {
	switch s {
	case "", "~", "null", "Null", "NULL":
		return nil
	}
	if b, ok := yaml11Bool(s); ok {
		return b
	}
	if v, ok := yamlNumber(s); ok {
		return v
	}
	return s
}

func yaml11Bool(s string) (bool, bool) {
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE":
		return true, true
	case "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE":
		return false, true
	}
	return false, false
}

func yamlNumber(s string) (json.Number, bool) {
	// Most scalars are words: no number starts with a letter.
	if s == "" || !strings.ContainsRune("+-.0123456789", rune(s[0])) {
		return "", false
	}
	plain := strings.ReplaceAll(s, "_", "")
	if yamlInt.MatchString(s) {
		neg := strings.HasPrefix(plain, "-")
		digits := strings.TrimLeft(plain, "+-")
		base := 10
		switch {
		case strings.HasPrefix(digits, "0x"):
			base, digits = 16, digits[2:]
		case strings.HasPrefix(digits, "0b"):
			base, digits = 2, digits[2:]
		case len(digits) > 1 && digits[0] == '0':
			base, digits = 8, digits[1:]
		}
		if u, err := strconv.ParseUint(digits, base, 64); err == nil {
			if neg {
				if u <= 1<<63 {
					return json.Number(strconv.FormatInt(-int64(u), 10)), true
				}
			} else {
				return json.Number(strconv.FormatUint(u, 10)), true
			}
		}
	}
	if yamlFloat.MatchString(s) {
		if f, err := strconv.ParseFloat(plain, 64); err == nil {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), true
		}
	}
	return "", false
}

// nodeLinesPast counts the lines that begin a sequence item ("- ") or hold
// a mapping key ("k: v", "k:"), each at least one node, and says on which
// line the count passes limit. Only the text of a huge block scalar could
// make it count lines that are no nodes.
func nodeLinesPast(data []byte, limit int) (int, bool) {
	if len(data) <= 2*limit {
		return 0, false // a counted line takes two bytes at least ("-\n")
	}
	n, line := 0, 0
	for len(data) > 0 {
		line++
		l := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		t := bytes.TrimLeft(l, " ")
		if bytes.HasPrefix(t, []byte("- ")) || bytes.Equal(t, []byte("-")) || bytes.Contains(t, []byte(": ")) || bytes.HasSuffix(t, []byte(":")) {
			if n++; n > limit {
				return line, true
			}
		}
	}
	return 0, false
}

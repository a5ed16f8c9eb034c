package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/pkg/report"
)

// maxNodes bounds the YAML nodes one config may expand to (aliases
// included): a few hundred is a big config.
const maxNodes = 100_000

type pos struct{ line, col int }

// Parse decodes a config strictly: an unknown key, a value of the wrong
// type, a path that leaves the repository, a zone without a desired
// source are each an error at their line and column; all are reported.
func Parse(file string, data []byte) (*Config, error) {
	d := &decoder{file: file, pos: map[string]pos{}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &report.InputError{File: file, Line: 1, Msg: "empty: want at least \"version: 1\""}
		}
		return nil, yamlError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			return nil, yamlError(file, err)
		}
		return nil, &report.InputError{File: file, Line: line, Column: 1, Msg: "a second YAML document: a config is one"}
	}
	c := &Config{pos: d.pos}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	d.value(doc, reflect.ValueOf(c).Elem(), "")
	if len(d.errs) == 0 {
		d.check(c, doc)
	}
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	return c, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

func yamlError(file string, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &report.InputError{File: file, Line: line, Msg: msg[len(m[0]):]}
	}
	return &report.InputError{File: file, Line: 1, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

type decoder struct {
	file  string
	pos   map[string]pos
	errs  []error
	nodes int
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errs = append(d.errs, &report.InputError{File: d.file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)})
}

// value decodes n into v, which is addressable; key is the dotted path of
// n, for errors and for Config.Where.
func (d *decoder) value(n *yaml.Node, v reflect.Value, key string) {
	if d.nodes++; d.nodes > maxNodes {
		if d.nodes == maxNodes+1 {
			d.errorf(n, "more than %d YAML nodes (aliases expanded): no config is that large", maxNodes)
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if key != "" {
		d.pos[key] = pos{n.Line, n.Column}
	}
	where := key
	if where == "" {
		where = "the config"
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // as if left out
	}
	switch v.Kind() {
	case reflect.Pointer:
		e := reflect.New(v.Type().Elem())
		d.value(n, e.Elem(), key)
		v.Set(e)
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.errorf(n, "%s: want a mapping, got %s", where, kind(n))
			return
		}
		fields := map[string]int{}
		var names []string
		for i := range v.NumField() {
			if name := yamlName(v.Type().Field(i)); name != "" && name != "-" {
				fields[name] = i
				names = append(names, name)
			}
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				d.errorf(k, "%s: a key must be a plain name", where)
				continue
			}
			if k.Value == "<<" {
				d.errorf(k, "%s: merge keys (<<) are not supported; write the settings out", where)
				continue
			}
			idx, ok := fields[k.Value]
			if !ok {
				d.errorf(k, "%s: unknown key %q (known: %s)", where, k.Value, strings.Join(names, ", "))
				continue
			}
			if seen[k.Value] {
				d.errorf(k, "%s: %q given twice", where, k.Value)
				continue
			}
			seen[k.Value] = true
			d.value(val, v.Field(idx), join(key, k.Value))
		}
	case reflect.Slice:
		items := []*yaml.Node{n}
		switch {
		case n.Kind == yaml.SequenceNode:
			items = n.Content
		case v.Type().Elem().Kind() == reflect.Struct:
			d.errorf(n, "%s: want a list, got %s", where, kind(n))
			return
		}
		// One scalar is a list of one (paths: terraform).
		s := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, it := range items {
			d.value(it, s.Index(i), join(key, strconv.Itoa(i)))
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode || n.Tag == "!!bool" || n.Tag == "!!map" {
			d.errorf(n, "%s: want a string, got %s", where, kind(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
			d.errorf(n, "%s: want true or false, got %s", where, kind(n))
			return
		}
		v.SetBool(b)
	case reflect.Int:
		i, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil || i < 0 {
			d.errorf(n, "%s: want a whole number ≥ 0, got %s", where, kind(n))
			return
		}
		v.SetInt(int64(i))
	case reflect.Float64:
		f, err := strconv.ParseFloat(n.Value, 64)
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			d.errorf(n, "%s: want a number ≥ 0, got %s", where, kind(n))
			return
		}
		v.SetFloat(f)
	}
}

func join(key, k string) string {
	if key == "" {
		return k
	}
	return key + "." + k
}

func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return strconv.Quote(v)
}

// check is what the types cannot say: the version, the enumerations, the
// paths, and every zone complete.
func (d *decoder) check(c *Config, root *yaml.Node) {
	at := func(key string) *yaml.Node {
		if p, ok := d.pos[key]; ok {
			return &yaml.Node{Line: p.line, Column: p.col}
		}
		return root
	}
	if c.Version != 1 {
		d.errorf(at("version"), "version: want 1 (the only version), got %d", c.Version)
	}
	if c.FailOn != "" && !slices.Contains([]string{"error", "warning", "never"}, c.FailOn) {
		d.errorf(at("failOn"), "failOn: want error, warning or never, got %q", c.FailOn)
	}
	if c.Report != nil && c.Report.Missing != "" && !slices.Contains([]string{"error", "warning", "note"}, c.Report.Missing) {
		d.errorf(at("report.missing"), "report.missing: want error, warning or note, got %q", c.Report.Missing)
	}
	// Every path stays inside the repository: the config comes with the
	// pull request, and must not point a check at the runner's secrets.
	d.paths(reflect.ValueOf(c).Elem(), "", at)
	if c.DNS != nil {
		for i, z := range c.DNS.Zones {
			k := fmt.Sprintf("dns.zones.%d", i)
			if strings.TrimSpace(z.Desired) == "" {
				d.errorf(at(k), "%s: zone %q has no desired source (desired: the zone file or YAML in the repository)", k, z.Zone)
			}
			for j, l := range z.Live {
				if strings.TrimSpace(l) == "" {
					d.errorf(at(fmt.Sprintf("%s.live.%d", k, j)), "%s.live.%d: empty", k, j)
				}
			}
			for _, f := range []struct{ name, v string }{{"tsigKeyFile", z.TSIGKeyFile}, {"tokenFile", z.TokenFile}} {
				// Credentials are file names inside the credentials
				// directory (a Secret workspace), never paths elsewhere.
				if f.v != "" && (strings.ContainsAny(f.v, `/\`) || f.v == "." || f.v == "..") {
					d.errorf(at(k+"."+f.name), "%s.%s: a file name in the credentials directory, not a path: %q", k, f.name, f.v)
				}
			}
		}
	}
}

// paths checks every field tagged path (and live sources that are not
// URLs): relative, and not above the config's directory.
func (d *decoder) paths(v reflect.Value, key string, at func(string) *yaml.Node) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			d.paths(v.Elem(), key, at)
		}
	case reflect.Slice:
		for i := range v.Len() {
			if v.Index(i).Kind() == reflect.Struct {
				d.paths(v.Index(i), join(key, strconv.Itoa(i)), at)
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			sf := v.Type().Field(i)
			name := yamlName(sf)
			if name == "" || name == "-" {
				continue
			}
			f, k := v.Field(i), join(key, name)
			isPath, isSource := sf.Tag.Get("path") == "true", sf.Tag.Get("source") == "true"
			if !isPath && !isSource {
				d.paths(f, k, at)
				continue
			}
			var list []string
			switch f.Kind() {
			case reflect.String:
				list = []string{f.String()}
			case reflect.Slice:
				for j := range f.Len() {
					list = append(list, f.Index(j).String())
				}
			}
			for j, p := range list {
				pk := k
				if f.Kind() == reflect.Slice {
					pk = join(k, strconv.Itoa(j))
				}
				if isSource && isURL(p) {
					continue
				}
				if msg := badPath(p); msg != "" {
					d.errorf(at(pk), "%s: %q %s", pk, p, msg)
				}
			}
		}
	}
}

// badPath says why p may not be used, or "".
func badPath(p string) string {
	if p == "" {
		return ""
	}
	s := strings.ReplaceAll(p, `\`, "/")
	switch {
	case strings.HasPrefix(s, "/") || (len(s) > 1 && s[1] == ':'):
		return "is absolute: write it relative to the repository"
	case path.Clean(s) == ".." || strings.HasPrefix(path.Clean(s), "../"):
		return "leaves the repository"
	}
	return ""
}

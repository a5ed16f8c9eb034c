package inventory

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"github.com/plumbline/plumbline/internal/shlex"
	"github.com/plumbline/plumbline/pkg/report"
)

// Inventory is what an inventory declares.
type Inventory struct {
	Groups map[string][]string // group -> hosts
	// Hosts are the hosts with the variables the inventory itself sets
	// on them (not group variables, not host_vars files).
	Hosts map[string]*Host
	// Dynamic: an inventory plugin's configuration (plugin:), whose hosts
	// no file lists.
	Dynamic bool
	// Ranges: a host pattern ansible expands (web[01:20]) is listed as
	// written.
	Ranges bool
}

// Host is one host of an inventory.
type Host struct {
	Name string
	Line int // where it is first listed
	Vars map[string]Var
}

// Var is a variable's value as written, and its line.
type Var struct {
	Value string
	Line  int
}

// host returns the host named name, adding it at line.
func (inv *Inventory) host(name string, line int) *Host {
	if inv.Hosts == nil {
		inv.Hosts = map[string]*Host{}
	}
	h, ok := inv.Hosts[name]
	if !ok {
		h = &Host{Name: name, Line: line, Vars: map[string]Var{}}
		inv.Hosts[name] = h
	}
	if strings.ContainsAny(name, "[{") {
		inv.Ranges = true
	}
	return h
}

// ParseINI reads an inventory in the INI format of ansible's ini inventory
// plugin: [group], [group:vars] and [group:children] sections, host lines
// with key=value variables (shell-quoted), comments with # or ;. A problem
// is a *report.InputError at its line of file.
func ParseINI(file string, data []byte) (*Inventory, error) {
	inv := &Inventory{Groups: map[string][]string{"ungrouped": nil}}
	group, kind := "ungrouped", "hosts"
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		bad := func(format string, args ...any) error {
			return &report.InputError{File: file, Line: n, Msg: fmt.Sprintf(format, args...)}
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, bad("section header %q has no closing ]", line)
			}
			if rest := strings.TrimSpace(line[end+1:]); rest != "" && rest[0] != '#' && rest[0] != ';' {
				return nil, bad("unexpected %q after section header", rest)
			}
			name, suffix, _ := strings.Cut(line[1:end], ":")
			if name = strings.TrimSpace(name); name == "" || strings.ContainsAny(name, " \t") {
				return nil, bad("invalid group name %q", name)
			}
			switch suffix {
			case "":
				kind = "hosts"
			case "vars", "children":
				kind = suffix
			default:
				return nil, bad("unknown section type %q (want [%s], [%s:vars] or [%s:children])", suffix, name, name, name)
			}
			group = name
			if _, ok := inv.Groups[group]; !ok {
				inv.Groups[group] = nil
			}
			continue
		}
		fields, err := shlex.Split(line)
		if err != nil {
			return nil, bad("%v", err)
		}
		if len(fields) == 0 {
			continue
		}
		switch kind {
		case "hosts":
			if fields[0] == "" {
				return nil, bad("empty host name")
			}
			h := inv.host(fields[0], n)
			for _, f := range fields[1:] {
				k, v, ok := strings.Cut(f, "=")
				if !ok || k == "" {
					return nil, bad("expected key=value host variable after %s, got %q", fields[0], f)
				}
				h.Vars[k] = Var{Value: v, Line: n}
			}
			inv.Groups[group] = append(inv.Groups[group], fields[0])
		case "vars":
			if k, _, ok := strings.Cut(line, "="); !ok || strings.TrimSpace(k) == "" {
				return nil, bad("expected key=value in [%s:vars], got %q", group, line)
			}
		case "children":
			if len(fields) != 1 {
				return nil, bad("expected one group name per line in [%s:children], got %q", group, line)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return inv, nil
}

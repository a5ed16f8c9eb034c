package ansiblelint

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The outside-path guard on any YAML a pull request writes: no panic, and
// what it finds is a path-outside error at a line of the file.
func FuzzOutside(f *testing.F) {
	for _, seed := range []string{
		"- hosts: all\n  vars_files: [/etc/passwd, vars.yml]\n",
		"- ansible.builtin.include_vars: ../../x\n- include_vars: {file: /a, dir: b}\n",
		"msg: \"{{ lookup('file', '/etc/shadow') }} {{ query('ansible.builtin.file', 'ok') }}\"\n",
		"include_vars: '   '\nvars_files: '{{ x }}'\n", "a: &a [*a]\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		root := t.TempDir()
		p := &project{root: root}
		dec := yaml.NewDecoder(bytes.NewReader([]byte(text)))
		for i := 0; i < 8; i++ {
			var n yaml.Node
			if err := dec.Decode(&n); err != nil {
				if !errors.Is(err, io.EOF) {
					return
				}
				break
			}
			p.outside(filepath.Join(root, "site.yml"), &n)
		}
		for _, f := range p.findings {
			if f.Rule != RulePathOutside || f.Line < 1 || !strings.Contains(f.Message, "outside the project") || !p.refused {
				t.Fatalf("%+v", f)
			}
		}
	})
}

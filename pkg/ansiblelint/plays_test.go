package ansiblelint

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/internal/need"
	"github.com/plumbline/plumbline/internal/testfs"
)

// TestPlayRules: the preflight's own rules on plays, as ansible reads
// them (the preflight alone: no ansible-lint run is needed to judge them).
func TestPlayRules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []loc
	}{
		{"notify by name, listen and role : name", map[string]string{
			"site.yml": `---
- name: Web
  hosts: all
  roles: [web]
  tasks:
    - name: Conf
      ansible.builtin.copy: {src: a, dest: /b}
      notify:
        - Restart nginx
        - web config changed
        - web : Reload web
        - restart nginx
        - Reload nginx
  handlers:
    - name: Restart nginx
      ansible.builtin.service: {name: nginx, state: restarted}
`,
			"roles/web/handlers/main.yml": "- name: Reload web\n  listen: web config changed\n  ansible.builtin.command: true\n",
			"roles/web/tasks/main.yml":    "- name: T\n  ansible.builtin.command: true\n  notify: Reload Web\n",
		}, []loc{
			{RuleNotifyNoHandler, "roles/web/tasks/main.yml", 3}, // case differs
			{RuleNotifyNoHandler, "site.yml", 12},                // case differs
			{RuleNotifyNoHandler, "site.yml", 13},
		}},
		{"an external role's handlers are not known: nothing judged", map[string]string{
			"site.yml": "- name: P\n  hosts: all\n  roles: [geerlingguy.docker]\n  tasks:\n    - name: T\n      ansible.builtin.command: true\n      notify: restart docker\n",
		}, nil},
		{"a role's meta dependency on an external role: nothing judged", map[string]string{
			"site.yml":                 "- name: P\n  hosts: all\n  roles: [app]\n",
			"roles/app/meta/main.yml":  "dependencies:\n  - role: geerlingguy.docker\n",
			"roles/app/tasks/main.yml": "- name: T\n  ansible.builtin.command: true\n  notify: restart docker\n",
		}, nil},
		{"a templated handler name: nothing judged", map[string]string{
			"site.yml": "- name: P\n  hosts: all\n  tasks:\n    - name: T\n      ansible.builtin.command: true\n      notify: x\n  handlers:\n    - name: \"restart {{ svc }}\"\n      ansible.builtin.command: true\n",
		}, nil},
		{"a templated notify is not judged", map[string]string{
			"site.yml": "- name: P\n  hosts: all\n  tasks:\n    - name: T\n      ansible.builtin.command: true\n      notify: \"restart {{ svc }}\"\n",
		}, nil},
		{"host key checking off", map[string]string{
			"ansible.cfg": "[defaults]\ninventory = hosts\nhost_key_checking = False ; lab\n[ssh_connection]\nhost_key_checking = False\n",
			"hosts":       "[lab]\nh1\n",
			"site.yml":    "- name: P\n  hosts: all\n  tasks: []\n",
		}, []loc{{RuleHostKeyChecking, "ansible.cfg", 3}}},
		{"secrets without no_log", map[string]string{
			"roles/dns/tasks/main.yml": `- name: Set forwarders
  ansible.builtin.uri:
    url: "http://localhost:5380/api/settings/set"
    body:
      token: "{{ technitium_api_token }}"
- name: Same, hidden
  ansible.builtin.uri:
    url: "http://localhost:5380/api/settings/set?token={{ technitium_api_token }}"
  no_log: true
- name: Free-form
  ansible.builtin.command: "mysql -p{{ db_password | quote }}"
- name: Credentials in a URL
  ansible.builtin.get_url:
    url: https://admin:hunter2@nas.lan/backup.tar
    dest: /tmp/b.tar
- name: Only its path
  ansible.builtin.copy:
    src: "{{ tls_private_key_file }}"
    dest: /etc/ssl/key.pem
- name: From the environment, by name
  ansible.builtin.debug:
    msg: "{{ lookup('env', 'API_TOKEN') | length }}"
- name: Passed on, not printed
  ansible.builtin.include_role:
    name: other
  vars:
    password: "{{ vault_password }}"
- name: With args
  ansible.builtin.shell: ./join.sh
  args:
    stdin: "{{ k3s_token }}"
`,
		}, []loc{
			{RuleSecretNoLog, "roles/dns/tasks/main.yml", 11},
			{RuleSecretNoLog, "roles/dns/tasks/main.yml", 13},
			{RuleSecretNoLog, "roles/dns/tasks/main.yml", 29}, // at the module, args: below it
			{RuleSecretNoLog, "roles/dns/tasks/main.yml", 2},
		}},
		{"host key checking on", map[string]string{
			"ansible.cfg": "[defaults]\nhost_key_checking = True\n",
			"site.yml":    "- name: P\n  hosts: all\n  tasks: []\n",
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for f, text := range tc.files {
				testfs.Write(t, dir, f, text)
			}
			p := preflightIn(t, dir)
			var got []loc
			for _, f := range p.findings {
				if f.Rule == RuleNotifyNoHandler || f.Rule == RuleHostKeyChecking || f.Rule == RuleSecretNoLog {
					got = append(got, loc{f.Rule, filepath.ToSlash(f.File), f.Line})
				}
			}
			if diff := cmp.Diff(tc.want, sortLocs(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestNotifyAsAnsible: the rule judges each notify as ansible-playbook
// itself does when the task changes (run on localhost, connection local):
// it fails with "The requested handler ... was not found" exactly where
// the rule reports.
func TestNotifyAsAnsible(t *testing.T) {
	playbook, err := exec.LookPath("ansible-playbook")
	if err != nil {
		need.Missing(t, "ansible-playbook (ansible-core, with ansible-lint) is not on PATH")
	}
	for _, name := range []string{"Restart nginx", "web config changed", "web : Reload web", "Reload web", "restart nginx", "Reload nginx", "web : reload web", "web: Reload web"} {
		dir := t.TempDir()
		testfs.Write(t, dir, "roles/web/handlers/main.yml", "- name: Reload web\n  listen: web config changed\n  ansible.builtin.debug: {msg: reload}\n")
		testfs.Write(t, dir, "roles/web/tasks/main.yml", "- name: Noop\n  ansible.builtin.debug: {msg: x}\n")
		testfs.Write(t, dir, "site.yml", fmt.Sprintf(`- name: Web
  hosts: all
  gather_facts: false
  roles: [web]
  tasks:
    - name: Conf
      ansible.builtin.command: "true"
      changed_when: true
      notify: %q
  handlers:
    - name: Restart nginx
      ansible.builtin.debug: {msg: restart}
`, name))
		out, err := runPlaybook(t, playbook, dir, "-i", "localhost,", "-c", "local", "site.yml")
		ansibleMisses := err != nil && strings.Contains(string(out), "was not found in either the main handlers list nor in the listening handlers list")
		if err != nil && !ansibleMisses {
			t.Fatalf("%q: ansible-playbook: %v\n%s", name, err, out)
		}
		p := preflightIn(t, dir)
		reported := false
		for _, f := range p.findings {
			reported = reported || f.Rule == RuleNotifyNoHandler
		}
		if reported != ansibleMisses {
			t.Errorf("notify %q: the rule reports it %v, ansible-playbook misses the handler %v", name, reported, ansibleMisses)
		}
	}
}

func TestVersionMeets(t *testing.T) {
	for _, tc := range []struct {
		version, constraint string
		ok, known           bool
	}{
		{"6.6.2", ">=8.0.0", false, true},
		{"8.1.0", ">=8.0.0", true, true},
		{"1.5.4", ">=1.5.0,<2.0.0", true, true},
		{"2.0.0", ">=1.5.0,<2.0.0", false, true},
		{"1.5.4", "1.5.4", true, true},
		{"1.5.4", "==1.5.3", false, true},
		{"1.5.4", "!=1.5.4", false, true},
		{"1.5.4", "*", true, true},
		{"3.4.7", ">3", true, true},
		{"1.0.0-beta1", ">=1.0.0", false, false},
		{"1.5.4", "main", false, false},
	} {
		ok, known := versionMeets(tc.version, tc.constraint)
		if ok != tc.ok || known != tc.known {
			t.Errorf("versionMeets(%q, %q) = %v, %v; want %v, %v", tc.version, tc.constraint, ok, known, tc.ok, tc.known)
		}
	}
}

// TestHostsAsAnsible: the names the rule says match nothing are the names
// ansible-playbook --list-hosts warns "Could not match supplied host
// pattern" of, for INI and YAML inventories.
func TestHostsAsAnsible(t *testing.T) {
	playbook, err := exec.LookPath("ansible-playbook")
	if err != nil {
		need.Missing(t, "ansible-playbook (ansible-core, with ansible-lint) is not on PATH")
	}
	inventories := map[string]string{
		"inventory/hosts.ini": "[dns]\ndns1 ansible_host=10.0.0.1\ndns2\n\n[web]\nweb1\n\n[lab:children]\ndns\nedge\n\n[edge]\n",
		"inventory/hosts.yml": "all:\n  children:\n    dns:\n      hosts:\n        dns1: {ansible_host: 10.0.0.1}\n        dns2:\n    web:\n      hosts:\n        web1:\n    lab:\n      children:\n        dns:\n        edge:\n",
	}
	patterns := []string{"dns", "dns_servers", "dns,web", "dns:!dns2", "dns:&lab", "all", "dns1", "nosuch:dns", "edge", "Dns", "web1,web2", "dns:!nosuch"}
	for file, inv := range inventories {
		for _, pattern := range patterns {
			dir := t.TempDir()
			testfs.Write(t, dir, file, inv)
			testfs.Write(t, dir, "ansible.cfg", "[defaults]\ninventory = "+file+"\n")
			testfs.Write(t, dir, "site.yml", fmt.Sprintf("- name: P\n  hosts: %q\n  gather_facts: false\n  tasks: []\n", pattern))
			out, err := runPlaybook(t, playbook, dir, "--list-hosts", "site.yml")
			if err != nil {
				t.Fatalf("%s %q: ansible-playbook: %v\n%s", file, pattern, err, out)
			}
			var ansibleMisses []string
			for _, m := range regexp.MustCompile(`Could not match supplied host pattern, ignoring: (\S+)`).FindAllStringSubmatch(string(out), -1) {
				ansibleMisses = append(ansibleMisses, m[1])
			}
			p := preflightIn(t, dir)
			var ours []string
			for _, f := range p.findings {
				if f.Rule == RuleHostsNoMatch {
					for _, m := range regexp.MustCompile(`named (.*) in the inventory`).FindStringSubmatch(f.Message)[1:] {
						for _, q := range strings.Split(m, ", ") {
							ours = append(ours, strings.Trim(q, `"`))
						}
					}
				} else if f.Rule != RuleHostKeyChecking {
					t.Errorf("%s %q: %s: %s", file, pattern, f.Rule, f.Message)
				}
			}
			slices.Sort(ansibleMisses)
			slices.Sort(ours)
			if diff := cmp.Diff(ansibleMisses, ours); diff != "" {
				t.Errorf("%s %q: names matching nothing (-ansible +rule):\n%s", file, pattern, diff)
			}
		}
	}
}

// TestVarsDirsAsAnsible: a group_vars directory the rule calls unused is
// one whose variable ansible-playbook does not see, and one it does not
// is one ansible loads: beside the inventory, beside the playbook, or
// neither.
func TestVarsDirsAsAnsible(t *testing.T) {
	playbook, err := exec.LookPath("ansible-playbook")
	if err != nil {
		need.Missing(t, "ansible-playbook (ansible-core, with ansible-lint) is not on PATH")
	}
	for _, at := range []string{"inventory/group_vars", "playbooks/group_vars", "group_vars", "roles/group_vars", "inventory/prod/group_vars"} {
		dir := t.TempDir()
		testfs.Write(t, dir, "ansible.cfg", "[defaults]\ninventory = inventory/hosts.ini\n")
		testfs.Write(t, dir, "inventory/hosts.ini", "[lab]\nlocalhost ansible_connection=local\n")
		testfs.Write(t, dir, "playbooks/site.yml", "- name: P\n  hosts: lab\n  gather_facts: false\n  tasks:\n    - name: Show\n      ansible.builtin.debug:\n        msg: \"x={{ lab_x | default('unset') }}\"\n")
		testfs.Write(t, dir, at+"/lab.yml", "lab_x: set\n")
		out, err := runPlaybook(t, playbook, dir, "playbooks/site.yml")
		if err != nil {
			t.Fatalf("%s: ansible-playbook: %v\n%s", at, err, out)
		}
		unloaded := strings.Contains(string(out), "x=unset")
		if !unloaded && !strings.Contains(string(out), "x=set") {
			t.Fatalf("%s: ansible-playbook printed neither:\n%s", at, out)
		}
		p := preflightIn(t, dir)
		reported := false
		for _, f := range p.findings {
			reported = reported || f.Rule == RuleVarsDirUnused && f.File == at
		}
		if reported != unloaded {
			t.Errorf("%s: the rule reports it %v, ansible leaves it unloaded %v", at, reported, unloaded)
		}
	}
}

// The play rules on any YAML a pull request writes, as a playbook, a role's
// handlers and an inventory at once: no panic, and every finding is one of
// theirs at a line of the file (or, for vars-dir-unused, none: no dirs).
func FuzzPlays(f *testing.F) {
	for _, seed := range []string{
		"- name: P\n  hosts: dns:!dns2,web\n  roles: [web, {role: x}]\n  tasks:\n    - name: T\n      ansible.builtin.uri: {url: \"https://a:b@c/\", body: {token: \"{{ api_token }}\"}}\n      notify: [Restart, \"{{ h }}\"]\n  handlers:\n    - name: Restart\n      listen: [a, b]\n",
		"all:\n  children:\n    dns:\n      hosts: {dns1: {}, dns2: null}\n    lab: {children: {dns: {}}}\n",
		"plugin: community.general.proxmox\n", "dependencies: [{role: a}, b]\n", "- block:\n  - rescue: [{always: []}]\n  notify: 3\n",
		"a: &a [*a]\n", "- hosts: [a, b]\n  tasks: {}\n", "- args: {x: '{{ password }}'}\n  no_log: false\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		root := t.TempDir()
		p := &project{root: root}
		files := []string{filepath.Join(root, "site.yml"), filepath.Join(root, "roles", "r", "handlers", "main.yml"), filepath.Join(root, "inventory", "hosts.yml")}
		for _, file := range files {
			dec := yaml.NewDecoder(strings.NewReader(text))
			for i := 0; i < 8; i++ {
				var n yaml.Node
				if err := dec.Decode(&n); err != nil {
					break
				}
				if _, over := expandsPast(&n, maxYAMLNodes); over {
					return // the preflight refuses it before these rules
				}
				rel, _ := filepath.Rel(root, file)
				p.modulesUsed(file, &n)
				p.plays.gather(p, rel, file, &n)
				p.inv.fromYAML(&n)
			}
		}
		p.plays.check(p, []string{filepath.Join(root, "roles")})
		p.checkHosts(&p.inv, p.plays.hosts)
		lines := strings.Count(text, "\n") + 1
		for _, f := range p.findings {
			switch f.Rule {
			case RuleNotifyNoHandler, RuleSecretNoLog, RuleHostsNoMatch:
			default:
				t.Fatalf("unexpected rule %+v", f)
			}
			if f.Line < 1 || f.Line > lines || f.Message == "" {
				t.Fatalf("bad finding %+v for %q", f, text)
			}
		}
	})
}

func FuzzVersionMeets(f *testing.F) {
	for _, s := range []string{"1.2.3\x00>=1.0.0,<2", "6.6.2\x00>=8.0.0", "x\x00*", "1\x00==1.0.0", "1.2.3.4\x00!=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, c, _ := strings.Cut(s, "\x00")
		ok, known := versionMeets(v, c)
		if ok && !known {
			t.Fatalf("versionMeets(%q, %q) = ok but not known", v, c)
		}
	})
}

// preflightIn runs the preflight on dir as the check does (from inside
// it, with no environment).
func preflightIn(t *testing.T, dir string) *project {
	t.Helper()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	p, err := preflight(".", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runPlaybook runs ansible-playbook in dir with its ansible.cfg (when
// there is one) and caches of its own, and returns what it printed.
func runPlaybook(t *testing.T, playbook, dir string, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command(playbook, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ANSIBLE_NOCOLOR=1", "XDG_CACHE_HOME="+t.TempDir(), "ANSIBLE_LOCAL_TEMP="+t.TempDir())
	if cfg := filepath.Join(dir, "ansible.cfg"); fileExists(cfg) {
		cmd.Env = append(cmd.Env, "ANSIBLE_CONFIG="+cfg)
	}
	return cmd.CombinedOutput()
}

package ansiblelint

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/internal/testfs"
	"github.com/plumbline/plumbline/pkg/change"
	"github.com/plumbline/plumbline/pkg/report"
)

// TestChanges: with a pull request's diff (real git's), ansible-lint gets
// only what the change touches and what uses it: a role's playbooks, a
// role depending on it, a playbook importing a touched one, the readers
// of a task file; a change to what every play reads checks everything,
// and one to no Ansible file is a skip. What it reports on what it
// lints is what the whole run reports there.
func TestChanges(t *testing.T) {
	needLint(t)
	task := func(cmd string) string {
		return "- ansible.builtin.command: " + cmd + "\n"
	}
	play := func(hosts, body string) string {
		return "---\n- name: " + hosts + "\n  hosts: " + hosts + "\n" + body
	}
	repo := t.TempDir()
	testfs.Commit(t, repo, map[string]string{
		"ansible/ansible.cfg":                   "[defaults]\ninventory = inventory/hosts.ini\n",
		"ansible/inventory/hosts.ini":           "[web]\nw1\n[db]\nd1\n",
		"ansible/inventory/group_vars/web.yml":  "---\nweb_port: 80\n",
		"ansible/playbooks/web.yml":             play("web", "  roles:\n    - web\n"),
		"ansible/playbooks/db.yml":              play("db", "  roles:\n    - role: db\n  tasks:\n    - name: Extra\n      ansible.builtin.include_tasks: tasks/extra.yml\n"),
		"ansible/playbooks/site.yml":            "---\n- name: All\n  ansible.builtin.import_playbook: web.yml\n",
		"ansible/playbooks/tasks/extra.yml":     "---\n" + task("echo extra"),
		"ansible/roles/web/tasks/main.yml":      "---\n" + task("echo web"),
		"ansible/roles/db/tasks/main.yml":       "---\n" + task("echo db"),
		"ansible/roles/db/meta/main.yml":        "---\ndependencies:\n  - role: common\n",
		"ansible/roles/common/tasks/main.yml":   "---\n" + task("echo common"),
		"ansible/roles/common/templates/a.conf": "x={{ x }}\n",
		"README.md":                             "# infra\n",
		".plumbline.yaml":                       "version: 1\n",
	})
	full, _, err := runIn(t, repo, "ansible")
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"ansible/playbooks/db.yml", "ansible/playbooks/tasks/extra.yml", "ansible/playbooks/web.yml",
		"ansible/roles/common/tasks/main.yml", "ansible/roles/db/meta/main.yml", "ansible/roles/db/tasks/main.yml", "ansible/roles/web/tasks/main.yml"}
	if d := cmp.Diff(all, filesOf(full)); d != "" {
		t.Fatalf("the whole run (-want +got):\n%s", d)
	}
	for _, tc := range []struct {
		name    string
		change  map[string]string
		want    []string // the files with findings
		skipped bool
	}{
		{"a role a role depends on", map[string]string{"ansible/roles/common/tasks/main.yml": "---\n" + task("echo common2")},
			[]string{"ansible/playbooks/db.yml", "ansible/roles/common/tasks/main.yml", "ansible/roles/db/meta/main.yml", "ansible/roles/db/tasks/main.yml"}, false},
		{"a role's template", map[string]string{"ansible/roles/common/templates/a.conf": "x={{ y }}\n"},
			[]string{"ansible/playbooks/db.yml", "ansible/roles/common/tasks/main.yml", "ansible/roles/db/meta/main.yml", "ansible/roles/db/tasks/main.yml"}, false},
		{"a role one playbook uses, imported by another", map[string]string{"ansible/roles/web/tasks/main.yml": "---\n" + task("echo web2")},
			[]string{"ansible/playbooks/web.yml", "ansible/roles/web/tasks/main.yml"}, false},
		{"an included task file", map[string]string{"ansible/playbooks/tasks/extra.yml": "---\n" + task("echo extra2")},
			[]string{"ansible/playbooks/db.yml", "ansible/playbooks/tasks/extra.yml"}, false},
		{"group_vars", map[string]string{"ansible/inventory/group_vars/web.yml": "---\nweb_port: 8080\n"}, nil, false},
		{"a role deleted", map[string]string{"ansible/roles/web/tasks/main.yml": ""}, []string{"ansible/playbooks/web.yml"}, false},
		{"the inventory", map[string]string{"ansible/inventory/hosts.ini": "[web]\nw1\nw2\n[db]\nd1\n"}, all, false},
		{"ansible.cfg", map[string]string{"ansible/ansible.cfg": "[defaults]\ninventory = inventory/hosts.ini\nforks = 2\n"}, all, false},
		{"the config", map[string]string{".plumbline.yaml": "version: 1\nfailOn: warning\n"}, all, false},
		{"no Ansible", map[string]string{"README.md": "# infra, again\n"}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			diff := testfs.Change(t, repo, tc.change)
			r, _, err := runIn(t, repo, "--changes", diff, "ansible")
			if tc.skipped {
				if err == nil || !strings.Contains(err.Error(), "touches no playbook, role or Ansible file under ansible") {
					t.Fatalf("want a skip: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, filesOf(r)); d != "" {
				t.Errorf("checked (-want +got):\n%s\n%s", d, r.Details["narrowed"])
			}
			// Where it looked, it found what the whole run finds (the
			// change's own edits aside: they only rename a command).
			if !slices.Contains(slices.Collect(maps.Values(tc.change)), "") {
				var want []loc
				for _, f := range full.Findings {
					if slices.Contains(tc.want, f.File) {
						want = append(want, loc{f.Rule, f.File, f.Line})
					}
				}
				if d := cmp.Diff(sortLocs(want), sortLocs(locs(r, ""))); d != "" {
					t.Errorf("against the whole run, on what it touches (-whole +narrowed):\n%s", d)
				}
			}
		})
	}
	// No diff file: a push, everything.
	r, _, err := runIn(t, repo, "--changes", repo+"/none.diff", "ansible")
	if err != nil || !slices.Equal(filesOf(r), all) {
		t.Errorf("a push: %v %v", err, filesOf(r))
	}
}

func runIn(t *testing.T, dir string, args ...string) (*report.Report, string, error) {
	t.Helper()
	return clitest.RunCheck(t, &Check{}, dir, args...)
}

func filesOf(r *report.Report) []string {
	files := map[string]bool{}
	for _, f := range r.Findings {
		files[f.File] = true
	}
	return slices.Sorted(maps.Keys(files))
}

// TestNarrowChainBounded: a hostile project whose 3,000 task files each
// include the next (listed so that every pass over the files would find
// one more) is followed in one walk of its references: the whole chain is
// touched, in well under a second.
func TestNarrowChainBounded(t *testing.T) {
	const n = 3000
	dir := t.TempDir()
	files := map[string]string{"ansible/site.yml": "---\n- name: Site\n  hosts: all\n  tasks:\n    - ansible.builtin.include_tasks: tasks/t0000.yml\n"}
	for i := range n {
		body := "---\n- ansible.builtin.debug: {msg: end}\n"
		if i+1 < n {
			body = fmt.Sprintf("---\n- ansible.builtin.include_tasks: t%04d.yml\n", i+1)
		}
		files[fmt.Sprintf("ansible/tasks/t%04d.yml", i)] = body
	}
	testfs.WriteAll(t, dir, files)
	t.Chdir(dir)
	p, err := preflight("ansible", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	last := fmt.Sprintf("ansible/tasks/t%04d.yml", n-1)
	set, err := change.Parse(strings.NewReader("diff --git a/" + last + " b/" + last + "\n--- a/" + last + "\n+++ b/" + last + "\n@@ -1 +1 @@\n-x\n+y\n"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s := p.narrow(set, "")
	if took := time.Since(start); took > time.Second {
		t.Errorf("narrowing took %s", took)
	}
	if len(s.lint) != n+1 {
		t.Errorf("%d files to lint, want the whole chain and site.yml (%d)", len(s.lint), n+1)
	}
}

// TestPlaybooksHint: the playbooks the launcher is told to syntax-check
// early are the project's plays, relative to it as ansible-lint names
// them; not vendored ones, none when a module is mocked, and in a pull
// request's scope only its targets.
func TestPlaybooksHint(t *testing.T) {
	root := t.TempDir()
	testfs.WriteAll(t, root, map[string]string{
		"site.yml":                "- name: All\n  ansible.builtin.import_playbook: playbooks/web.yml\n",
		"playbooks/web.yml":       "- name: Web\n  hosts: web\n  tasks: []\n",
		"playbooks/db.yml":        "- name: Db\n  hosts: db\n  roles: [db]\n",
		"playbooks/tasks/x.yml":   "- name: A task\n  ansible.builtin.debug: msg=x\n",
		"playbooks/broken.yml":    "- name: [\n",
		"roles/db/tasks/main.yml": "- name: A task\n  ansible.builtin.debug: msg=x\n",
		"collections/ansible_collections/ns/c/playbooks/p.yml": "- name: Vendored\n  hosts: all\n  tasks: []\n",
	})
	p, err := preflight(root, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"playbooks/db.yml", "playbooks/web.yml", "site.yml"}, p.playbooks()); d != "" {
		t.Errorf("whole project (-want +got):\n%s", d)
	}
	p.scope = &scope{lint: []string{"playbooks/web.yml", "roles/db"}}
	if d := cmp.Diff([]string{"playbooks/web.yml"}, p.playbooks()); d != "" {
		t.Errorf("a pull request's scope (-want +got):\n%s", d)
	}
	p.scope, p.mocks = nil, []string{"ns.missing.thing"}
	if got := p.playbooks(); got != nil {
		t.Errorf("with a mocked module: %q, want none", got)
	}
}

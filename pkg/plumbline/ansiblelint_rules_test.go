package plumbline

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/plumbline/plumbline/internal/need"
)

var update = flag.Bool("update", false, "rewrite docs/rules/ansible-lint.md")

// TestAnsibleLintRulesDoc: docs/rules/ansible-lint.md lists ansible-lint's
// own rules as the ansible-lint the image ships describes them
// (ansible-lint -L -f md), so plumbline rules answers for
// ansible-lint/<id> as for our own. Regenerate with -update.
func TestAnsibleLintRulesDoc(t *testing.T) {
	if _, err := exec.LookPath("ansible-lint"); err != nil {
		need.Missing(t, "ansible-lint is not installed")
		return
	}
	cmd := exec.Command("ansible-lint", "-L", "-f", "md")
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "TERM=dumb")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ansible-lint -L: %v", err)
	}
	version, _ := exec.Command("ansible-lint", "--nocolor", "--version").Output()
	v := regexp.MustCompile(`ansible-lint ([0-9.]+)`).FindSubmatch(version)
	if v == nil {
		t.Fatalf("ansible-lint --version: %q", version)
	}
	got := ansibleLintRulesDoc(string(out), string(v[1]))
	const file = "../../docs/rules/ansible-lint.md"
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s is not what this ansible-lint says (go test -update):\n%s", file, diff)
	}
	// And plumbline rules answers for one, and for a tagged finding's id.
	for _, id := range []string{"ansible-lint/risky-octal", "ansible-lint/yaml[truthy]"} {
		var b strings.Builder
		if err := printRules(&b, id); err != nil || !strings.Contains(b.String(), "docs/rules/ansible-lint.md") {
			t.Errorf("plumbline rules %s: %v\n%s", id, err, b.String())
		}
	}
}

// ansibleLintRulesDoc renders the rule table from ansible-lint's Markdown
// rule documentation: each "# id" heading outside a code block, and the
// first paragraph under it.
func ansibleLintRulesDoc(md, version string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# ansible-lint's own rules\n\n")
	fmt.Fprintf(&b, "ansible-lint-check reports each finding of ansible-lint as `ansible-lint/<id>` (a tag such as\n"+
		"`yaml[truthy]` after the id), an error, or a warning for a rule in ansible-lint's warn list\n"+
		"([ansible-lint-check.md](../ansible-lint-check.md)). This table is generated from ansible-lint %s, the\n"+
		"version the image and the tests run (`ansible-lint -L -f md`; `go test ./pkg/plumbline -run\n"+
		"TestAnsibleLintRulesDoc -update`); each rule's page is https://ansible.readthedocs.io/projects/lint/rules/ID/.\n\n", version)
	b.WriteString("| rule | severity | what it means |\n|---|---|---|\n")
	idRE := regexp.MustCompile(`^# ([a-z][a-z0-9-]*)$`)
	sc := bufio.NewScanner(strings.NewReader(md))
	fence, id := false, ""
	var para []string
	emit := func() {
		if id != "" && len(para) > 0 {
			fmt.Fprintf(&b, "| `ansible-lint/%s` | error or warning | %s |\n", id, strings.ReplaceAll(strings.Join(para, " "), "|", `\|`))
		}
		id, para = "", nil
	}
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " ")
		if strings.HasPrefix(line, "```") {
			fence = !fence
			continue
		}
		if fence {
			continue
		}
		if m := idRE.FindStringSubmatch(line); m != nil {
			emit()
			id = m[1]
			continue
		}
		if id == "" {
			continue
		}
		switch {
		case strings.HasPrefix(line, "#"):
			emit()
		case line == "" && len(para) > 0:
			emit()
		case line != "":
			para = append(para, strings.TrimSpace(line))
		}
	}
	emit()
	return b.String()
}

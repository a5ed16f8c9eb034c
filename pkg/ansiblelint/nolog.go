package ansiblelint

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/secret"
)

// RuleSecretNoLog: a task passes a secret to its module without no_log.
const RuleSecretNoLog = "ansible/secret-without-no-log"

// taskKeywords are a task's keys that are not its module (Ansible's
// task, block and role keywords); the first other key is the module.
var taskKeywords = map[string]bool{
	"name": true, "when": true, "loop": true, "loop_control": true, "register": true, "notify": true, "tags": true,
	"become": true, "become_user": true, "become_method": true, "become_flags": true, "become_exe": true,
	"vars": true, "environment": true, "delegate_to": true, "delegate_facts": true, "changed_when": true,
	"failed_when": true, "until": true, "retries": true, "delay": true, "ignore_errors": true,
	"ignore_unreachable": true, "no_log": true, "listen": true, "block": true, "rescue": true, "always": true,
	"run_once": true, "check_mode": true, "diff": true, "async": true, "poll": true, "throttle": true,
	"any_errors_fatal": true, "connection": true, "port": true, "remote_user": true, "collections": true,
	"module_defaults": true, "timeout": true, "debugger": true, "args": false, "local_action": false, "action": false,
}

// notLogged are modules whose arguments ansible never prints: they only
// read files or pass variables on.
var notLogged = map[string]bool{
	"include_tasks": true, "import_tasks": true, "include_role": true, "import_role": true,
	"include_vars": true, "import_playbook": true, "meta": true,
}

var (
	jinja      = regexp.MustCompile(`\{\{(.*?)\}\}`)
	identifier = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
	// userinfo: credentials written into a URL (https://user:pass@host).
	userinfo = regexp.MustCompile(`[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`)
)

// secretNoLog reports a task whose module arguments (or args:) carry a
// variable named as a credential, or a URL with a password in it, while
// the task does not set no_log: ansible prints module arguments at -vvv
// and in the results callbacks and CI systems keep, and a failing uri or
// get_url puts the URL in its error.
func (p *project) secretNoLog(osPath string, t *yaml.Node) {
	module, noLog := "", false
	var args []*yaml.Node
	var at *yaml.Node
	for i := 0; i+1 < len(t.Content); i += 2 {
		k, v := t.Content[i], t.Content[i+1]
		switch {
		case k.Value == "no_log":
			noLog = v.Value != "false" && v.Value != "False" && v.Value != "no" && v.Value != ""
		case k.Value == "args" || k.Value == "local_action" || k.Value == "action":
			args = append(args, v)
			if at == nil {
				at = k
			}
		case taskKeywords[k.Value] || strings.HasPrefix(k.Value, "with_"):
		case module == "":
			module, at = k.Value, k
			args = append(args, v)
		}
	}
	if noLog || at == nil || notLogged[module[strings.LastIndexByte(module, '.')+1:]] {
		return
	}
	why := ""
	for _, a := range args {
		if why = secretIn(a, 0); why != "" {
			break
		}
	}
	if why == "" {
		return
	}
	what := module
	if what == "" {
		what = at.Value
	}
	p.add(report.Finding{Rule: RuleSecretNoLog, Severity: report.Warning, File: relPath(osPath), Line: at.Line,
		Help:    rulesHelp + "ansiblesecret-without-no-log",
		Message: fmt.Sprintf("%s is given %s without no_log: true on the task: ansible prints module arguments at -vvv and in results that callbacks and CI logs keep, and a failing module may quote them; set no_log: true (or no_log: \"{{ not debug }}\" to see them when debugging)", what, why)})
}

// secretIn says what secret the node's strings hold: the first variable
// named as a credential in a Jinja expression, or a URL with a password.
func secretIn(n *yaml.Node, depth int) string {
	if depth > 50 {
		return ""
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if userinfo.MatchString(n.Value) {
			return "a URL with a password in it"
		}
		for _, m := range jinja.FindAllStringSubmatch(n.Value, -1) {
			expr := quoted.ReplaceAllString(m[1], "")
			for _, id := range identifier.FindAllString(expr, -1) {
				if secret.Name(id) {
					return "{{ " + id + " }}"
				}
			}
		}
		// key=value free-form arguments (uri: url=... password=...)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if w := secretIn(n.Content[i+1], depth+1); w != "" {
				return w
			}
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if w := secretIn(c, depth+1); w != "" {
				return w
			}
		}
	}
	return ""
}

// quoted strings inside an expression are text, not variables
// ('{{ lookup("env", "TOKEN") }}' names no variable TOKEN).
var quoted = regexp.MustCompile(`"[^"]*"|'[^']*'`)

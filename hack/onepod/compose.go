package main

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/api/resource"
)

// A step with then runs two StepActions in one container: the first's
// shell, then the second's command, in the second's image. Each step of a
// pod costs a second whenever it lasts longer than the ~0.1 s between its
// container's start and the next one's (Tekton's entrypoint looks for the
// previous step's end once a second); the fetch and policy-check each did,
// and together they fit in one. Tekton has no such step, so it is written
// inline: the first's env and script with its params given, the second's
// args as the shell's positional parameters (never parsed by the shell),
// but for those that take the first's results, which the shell reads
// from its result files.
type composite struct {
	name                      string // the step's: the first's
	first, second             Step
	firstAction, secondAction Action
	firstValues, secondValues map[string]any
	then                      string // the second's name
	mounted                   []string
}

var paramRef = regexp.MustCompile(`\$\(params\.([a-z0-9-]+)(\[\*\])?\)`)

// substitute gives a StepAction's $(params.NAME) their values (or the
// StepAction's defaults); an array param ($(params.NAME[*])) only as a
// whole arg, expanded.
func substitute(text string, a Action, values map[string]any) ([]string, error) {
	var err error
	value := func(name string) any {
		if v, ok := values[name]; ok {
			return v
		}
		if v, ok := a.Defaults[name]; ok {
			return v
		}
		err = fmt.Errorf("param %s has no value and no default", name)
		return ""
	}
	if m := paramRef.FindStringSubmatch(text); m != nil && m[0] == text && m[2] != "" {
		var out []string
		list, ok := value(m[1]).([]any)
		if !ok {
			return nil, fmt.Errorf("param %s is not a list", m[1])
		}
		for _, e := range list {
			out = append(out, fmt.Sprint(e))
		}
		return out, err
	}
	out := paramRef.ReplaceAllStringFunc(text, func(ref string) string {
		m := paramRef.FindStringSubmatch(ref)
		if m[2] != "" {
			err = fmt.Errorf("%s in %q: a list param only as a whole arg", ref, text)
			return ""
		}
		v, ok := value(m[1]).(string)
		if !ok {
			err = fmt.Errorf("param %s is not a string", m[1])
		}
		return v
	})
	return []string{out}, err
}

// composite writes a step made of two (see composite).
func (w *writer) composite(c composite) error {
	fa, sa := c.firstAction, c.secondAction
	if !slices.Equal(fa.Command, []string{"/bin/sh", "-c"}) || len(fa.Args) != 1 {
		return fmt.Errorf("StepAction %s is not a shell's -c script: it cannot go first", c.first.Action)
	}
	script := fa.Args[0]
	if paramRef.MatchString(script) {
		// A param in a script is pasted into the shell's text.
		return fmt.Errorf("StepAction %s's script names a param; it must read them from env", c.first.Action)
	}
	if len(sa.Command) != 1 || len(sa.Env) > 0 {
		return fmt.Errorf("StepAction %s: want one command and no env", c.second.Action)
	}
	for _, r := range sa.Results {
		if slices.Contains(fa.Results, r) {
			return fmt.Errorf("both StepActions have the result %s", r)
		}
	}
	first, err := marshal(fa.SecurityContext)
	if err != nil {
		return err
	}
	if second, _ := marshal(sa.SecurityContext); first != second {
		return fmt.Errorf("StepActions %s and %s have different securityContexts", c.first.Action, c.second.Action)
	}
	image, err := substitute(sa.Image, sa, c.secondValues)
	if err != nil {
		return err
	}

	// The second's args: positional, but for those reading a result of
	// the first (which the shell reads from its file).
	own := "$(steps." + c.name + ".results."
	var positional, fromResults []string
	for _, arg := range sa.Args {
		args, err := substitute(arg, sa, c.secondValues)
		if err != nil {
			return fmt.Errorf("StepAction %s: %w", c.second.Action, err)
		}
		for _, a := range args {
			if !strings.Contains(a, own) {
				positional = append(positional, a)
				continue
			}
			quoted, err := readResults(a, own, fa.Results)
			if err != nil {
				return err
			}
			fromResults = append(fromResults, quoted)
		}
	}

	w.comment(2, c.first.Comment)
	w.comment(2, fmt.Sprintf("%s, then %s in the same container (a step of its own would cost a second: hack/onepod/compose.go). "+
		"The script is StepAction %s's.", c.name, c.then, c.first.Action))
	w.line(2, "- name: "+c.name)
	w.line(3, "image: "+scalar(image[0]))
	if c.first.OnError != "" {
		w.line(3, "onError: "+scalar(c.first.OnError))
	}
	if len(c.mounted) > 0 {
		w.comment(3, fmt.Sprintf("Isolated: only this step mounts them, not the steps that run the repository's code. "+
			"The credentials' copies are gone before %s starts.", c.then))
		w.line(3, "workspaces:")
		for _, m := range c.mounted {
			w.line(4, "- name: "+m)
			w.line(5, "mountPath: /workspace/"+m)
		}
	}
	w.line(3, "env:")
	for _, e := range fa.Env {
		v, err := substitute(e[1], fa, c.firstValues)
		if err != nil {
			return fmt.Errorf("StepAction %s: %w", c.first.Action, err)
		}
		w.line(4, "- name: "+e[0])
		w.line(5, "value: "+scalar(v[0]))
	}
	w.line(3, "command: [/bin/sh, -c]")
	w.line(3, "args:")
	w.line(4, "- |")
	// The image's HOME, which the script replaces with a home of its own.
	w.line(5, `image_home=${HOME-}`)
	for _, l := range strings.Split(strings.TrimSuffix(script, "\n"), "\n") {
		if l == "" {
			w.b.WriteString("\n")
			continue
		}
		w.line(5, l)
	}
	w.line(5, "# Then "+c.then+": the credentials' copies go first, and its exit (1 for findings)")
	w.line(5, "# is not the step's: its verdict is its report's, whose digest is a result.")
	w.line(5, `rm -rf "$HOME"`)
	w.line(5, "trap - EXIT")
	w.line(5, `HOME=$image_home`)
	w.line(5, "code=0")
	w.line(5, sa.Command[0]+" "+strings.Join(fromResults, " ")+` "$@" || code=$?`)
	w.line(5, fmt.Sprintf(`[ "$code" -le 1 ] || echo "%s exited $code: its report says why, or report finds none" >&2`, c.then))
	w.line(4, "- "+scalar(c.then))
	for _, a := range positional {
		w.line(4, "- "+scalar(a))
	}
	w.line(3, "results:")
	for _, r := range append(slices.Clone(fa.Results), sa.Results...) {
		doc := fa.ResultDocs[r]
		if slices.Contains(sa.Results, r) {
			doc = c.then + ": " + sa.ResultDocs[r]
		}
		w.line(4, "- name: "+r)
		w.text(5, "description", doc)
	}
	w.line(3, "securityContext:")
	for _, l := range strings.Split(strings.TrimSuffix(first, "\n"), "\n") {
		w.line(4, l)
	}
	requests := maps.Clone(c.first.Requests)
	for k, v := range c.second.Requests {
		if larger(v, requests[k]) {
			requests[k] = v
		}
	}
	limit := c.first.Limit
	if larger(c.second.Limit, limit) {
		limit = c.second.Limit
	}
	w.resources("The larger of the two steps' requests and limits.", requests, limit)
	return nil
}

// marshal is n as YAML at two spaces a level.
func marshal(n *yaml.Node) (string, error) {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return "", err
	}
	return b.String(), enc.Close()
}

// readResults is arg, FLAG=$(steps.FIRST.results.NAME), for the shell:
// the result read from its file. FLAG must need no quoting.
func readResults(arg, own string, results []string) (string, error) {
	flag, rest, _ := strings.Cut(arg, own)
	name, ok := strings.CutSuffix(rest, ")")
	if !ok || !slices.Contains(results, name) || strings.ContainsAny(flag, "\"`\\$") {
		return "", fmt.Errorf("arg %q: want FLAG=RESULT of the first step, nothing the shell would read", arg)
	}
	return `"` + flag + `$(cat "$(step.results.` + name + `.path)")"`, nil
}

// larger reports whether quantity a is more than b ("1Gi" > "256Mi");
// an empty b is less than anything.
func larger(a, b string) bool {
	if b == "" {
		return true
	}
	qa, errA := resource.ParseQuantity(a)
	qb, errB := resource.ParseQuantity(b)
	// A quantity that does not parse is Tekton's to refuse (make lint).
	return errA == nil && errB == nil && qa.Cmp(qb) > 0
}

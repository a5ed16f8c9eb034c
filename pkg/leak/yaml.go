package leak

import (
	"encoding/base64"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/pkg/ynode"

	"github.com/plumbline/plumbline/pkg/secret"
)

// maxDepth bounds the walk of one document: no configuration nests
// deeper, and a hostile one must not exhaust the stack.
const maxDepth = 64

// notScanned are kinds whose values are encrypted or point elsewhere.
var notScanned = map[string]bool{
	"SealedSecret": true, "ExternalSecret": true, "ClusterExternalSecret": true, "PushSecret": true,
}

// yamlHits reads every document of a YAML file. A file that does not
// parse stops at its first bad document: the policy check reports it.
// sealed are the line ranges of encrypted documents (SOPS, SealedSecret):
// no token rule's guess counts there either.
func yamlHits(data []byte, lines []string) (hits []hit, sealed [][2]int) {
	y := &yamlWalk{lines: lines}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	open := -1 // start of the encrypted document being read
	for first := true; ; first = false {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if open >= 0 {
			end := len(lines)
			if err == nil {
				end = doc.Line - 1
			}
			sealed = append(sealed, [2]int{open, end})
			open = -1
		}
		if err != nil {
			break // io.EOF, or a document the policy check reports
		}
		if !y.document(&doc, 0) {
			open = doc.Line
			if first {
				open = 1
			}
		}
	}
	return y.hits, sealed
}

type yamlWalk struct {
	lines []string
	hits  []hit
}

// document walks one document, lineOffset lines below the file's start
// (Helm values held in a string); false when it is encrypted.
func (y *yamlWalk) document(doc *yaml.Node, lineOffset int) bool {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return true
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		y.walk(top, "", lineOffset, 0)
		return true
	}
	// SOPS keeps its metadata under sops: every value is ENC[…].
	if ynode.Value(top, "sops") != nil || notScanned[scalar(ynode.Value(top, "kind"))] {
		return false
	}
	if scalar(ynode.Value(top, "kind")) == "Secret" && strings.HasPrefix(scalar(ynode.Value(top, "apiVersion")), "v1") {
		y.secret(top, lineOffset)
		return true
	}
	y.walk(top, "", lineOffset, 0)
	return true
}

// secret reports each plain value of a Kubernetes Secret.
func (y *yamlWalk) secret(top *yaml.Node, lineOffset int) {
	for _, field := range []string{"data", "stringData"} {
		m := ynode.Value(top, field)
		if m == nil || m.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			v := m.Content[i+1]
			if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
				continue
			}
			plain := v.Value
			if field == "data" {
				if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v.Value)); err == nil {
					plain = string(b)
				}
			}
			if placeholder(plain) || placeholder(v.Value) {
				continue
			}
			if strings.Contains(strings.TrimSpace(plain), "\n") {
				// A configuration file kept in a Secret (alertmanager.yaml,
				// grafana.ini): what is inside is a credential or not by
				// its own keys. In stringData those are read in place; the
				// gitleaks pass has read its text already.
				if field == "stringData" {
					y.embedded(v, lineOffset, 1)
				}
				continue
			}
			y.add(RuleKubernetesSecret, "Kubernetes Secret "+m.Content[i].Value+" ("+field+")", v, lineOffset)
		}
	}
}

// walk looks at every mapping under n; key is n's key in its parent.
func (y *yamlWalk) walk(n *yaml.Node, key string, lineOffset, depth int) {
	if n == nil || depth > maxDepth {
		return
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if envKey(key) && c.Kind == yaml.ScalarNode {
				y.envItem(c, lineOffset)
				continue
			}
			y.walk(c, key, lineOffset, depth+1)
		}
	case yaml.MappingNode:
		y.nameValue(n, lineOffset)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			switch {
			case v.Kind == yaml.ScalarNode && k.Kind == yaml.ScalarNode && secret.Name(k.Value):
				if v.Tag == "!!str" && credential(k.Value, v.Value) && !username(n, v.Value) {
					y.add(RuleAssignment, k.Value, v, lineOffset)
				}
			case v.Kind == yaml.ScalarNode && k.Value == "values" && strings.Contains(v.Value, "\n"):
				// Helm values as a string (an ArgoCD Application's
				// helm.values): a document of their own.
				y.embedded(v, lineOffset, depth)
			default:
				y.walk(v, k.Value, lineOffset, depth+1)
			}
		}
	}
}

// nameValue is the container env form: {name: DB_PASSWORD, value: …}.
func (y *yamlWalk) nameValue(m *yaml.Node, lineOffset int) {
	name, v := ynode.Value(m, "name"), ynode.Value(m, "value")
	if name == nil || v == nil || v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
		return
	}
	if secret.Name(name.Value) && credential(name.Value, v.Value) {
		y.add(RuleAssignment, name.Value, v, lineOffset)
	}
}

// envKey: docker-compose's environment and env lists of KEY=value.
func envKey(key string) bool {
	return key == "environment" || key == "env"
}

func (y *yamlWalk) envItem(n *yaml.Node, lineOffset int) {
	k, v, ok := strings.Cut(n.Value, "=")
	if !ok || !secret.Name(strings.TrimSpace(k)) || !credential(strings.TrimSpace(k), v) {
		return
	}
	y.addText(RuleAssignment, k, v, n.Line+lineOffset)
}

// embedded walks a block scalar holding YAML; its line L is the file's
// line n.Line+L for | and > styles.
func (y *yamlWalk) embedded(n *yaml.Node, lineOffset, depth int) {
	if n.Style&yaml.LiteralStyle == 0 {
		return
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(n.Value), &doc); err != nil {
		return
	}
	inner := &yamlWalk{lines: y.lines}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		inner.walk(doc.Content[0], "", lineOffset+n.Line, depth+1)
	}
	y.hits = append(y.hits, inner.hits...)
}

// add records a credential held by scalar v.
func (y *yamlWalk) add(rule, name string, v *yaml.Node, lineOffset int) {
	y.addText(rule, name, v.Value, v.Line+lineOffset)
}

// addText records value, found on line (1-based), with its column when
// the line holds it as written.
func (y *yamlWalk) addText(rule, name, val string, line int) {
	h := hit{rule: rule, line: line, length: len(val)}
	switch rule {
	case RuleKubernetesSecret:
		h.detail = name
	default:
		h.detail = "a value for " + strings.TrimSpace(name)
	}
	if line >= 1 && line <= len(y.lines) {
		if i := strings.LastIndex(y.lines[line-1], val); i >= 0 && val != "" {
			h.col = i + 1
		}
	}
	y.hits = append(y.hits, h)
}

// credential says whether v, given to the credential-named key, is one:
// not a placeholder, not the name of the Secret holding it.
func credential(key, v string) bool {
	return !placeholder(v) && !secretReference(key, v)
}

// username says whether mapping m gives a user name equal to v: vagrant/
// vagrant, admin/admin are a tool's published default, not a secret.
func username(m *yaml.Node, v string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		ts := secret.Tokens(m.Content[i].Value)
		if len(ts) > 0 && (ts[len(ts)-1] == "user" || ts[len(ts)-1] == "username" || ts[len(ts)-1] == "login") &&
			m.Content[i+1].Kind == yaml.ScalarNode && m.Content[i+1].Value == v {
			return true
		}
	}
	return false
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

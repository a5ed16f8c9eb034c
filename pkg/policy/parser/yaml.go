package parser

import "github.com/plumbline/plumbline/pkg/input"

// yamlParser is input.YAML: YAML as conftest reads it, with every node's
// line.
type yamlParser struct{}

var _ Parser = yamlParser{}

func (yamlParser) Parse(name string, data []byte) (*input.Input, error) {
	return input.YAML(name, data)
}

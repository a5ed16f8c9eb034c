package parser

import (
	"fmt"
	"github.com/plumbline/plumbline/pkg/input"

	"github.com/plumbline/plumbline/pkg/report"
)

// tfplanParser reads `terraform show -json` output. The document keeps its
// shape (policies written for conftest's json parser work unchanged); the
// parser only makes sure it is a plan, so a wrong file fails loudly instead
// of passing every policy.
type tfplanParser struct{}

var _ Parser = tfplanParser{}

func (tfplanParser) Parse(name string, data []byte) (*input.Input, error) {
	in, err := jsonParser{}.Parse(name, data)
	if err != nil {
		return nil, err
	}
	m, ok := in.Value.(map[string]any)
	if !ok {
		return nil, &report.InputError{File: name, Line: 1, Msg: "a Terraform plan is a JSON object (terraform show -json PLANFILE)"}
	}
	for _, k := range []string{"format_version", "terraform_version"} {
		if _, ok := m[k]; !ok {
			return nil, &report.InputError{File: name, Line: 1, Msg: fmt.Sprintf("not a Terraform JSON plan: no %q (terraform show -json PLANFILE)", k)}
		}
	}
	return in, nil
}

package parser

import (
	"github.com/plumbline/plumbline/pkg/input"
	"github.com/plumbline/plumbline/pkg/report"
)

// tfvarsParser reads Terraform variable files: HCL with attributes only, in
// the same shape as hcl2 (which is what conftest uses for .tfvars).
type tfvarsParser struct{}

var _ Parser = tfvarsParser{}

func (tfvarsParser) Parse(name string, data []byte) (*input.Input, error) {
	body, err := parseHCL(name, data)
	if err != nil {
		return nil, err
	}
	if len(body.Blocks) > 0 {
		b := body.Blocks[0]
		return nil, &report.InputError{File: name, Line: b.DefRange().Start.Line, Msg: "a .tfvars file holds variable assignments only, not a " + b.Type + " block"}
	}
	return hcl2Parser{}.Parse(name, data)
}

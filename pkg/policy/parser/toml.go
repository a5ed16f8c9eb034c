package parser

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/plumbline/plumbline/pkg/input"

	"github.com/BurntSushi/toml"
	"github.com/plumbline/plumbline/pkg/report"
)

// tomlParser reads TOML with the library conftest uses; dates become
// RFC 3339 strings as they do when conftest hands them to OPA.
type tomlParser struct{}

var _ Parser = tomlParser{}

func (tomlParser) Parse(name string, data []byte) (*input.Input, error) {
	var v map[string]any
	if err := toml.Unmarshal(data, &v); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &report.InputError{File: name, Line: pe.Position.Line, Column: pe.Position.Col, Msg: pe.Message}
		}
		return nil, &report.InputError{File: name, Msg: err.Error()}
	}
	out, err := jsonRoundTrip(v)
	if err != nil {
		return nil, &report.InputError{File: name, Msg: "a value policies cannot see (inf or nan?): " + err.Error()}
	}
	return input.WithLines(out, input.Lines{}, nil), nil
}

// jsonRoundTrip turns Go values (times, typed numbers) into what OPA would
// make of them.
func jsonRoundTrip(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	err = dec.Decode(&out)
	return out, err
}

package parser

import (
	"encoding/json"
	"errors"
	"github.com/plumbline/plumbline/pkg/input"
	"strconv"

	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/zonefile"
)

// zoneParser reads an RFC 1035 zone file into
// {"origin": "home.arpa.", "records": [{"name", "type", "class", "ttl", "value"}]},
// names fully qualified and lower-case, one object per record in file order.
type zoneParser struct{}

var _ Parser = zoneParser{}

func (zoneParser) Parse(name string, data []byte) (*input.Input, error) {
	origin, recs, err := zonefile.Records(name, data)
	if err != nil {
		var ie *report.InputError
		if errors.As(err, &ie) {
			return nil, err
		}
		return nil, &report.InputError{File: name, Msg: err.Error()}
	}
	list := make([]any, len(recs))
	lines, names := input.Lines{}, map[string]int{}
	for i, r := range recs {
		if _, ok := names[r.Name]; !ok {
			names[r.Name] = r.Line
		}
		list[i] = map[string]any{
			"name": r.Name, "type": r.Type, "class": r.Class,
			"ttl": json.Number(itoa(r.TTL)), "value": r.Value,
		}
		lines.Set(input.Child(input.Child("", "records"), i), r.Line)
	}
	return input.WithLines(map[string]any{"origin": origin, "records": list}, lines, names), nil
}

func itoa(u uint32) string { return strconv.FormatUint(uint64(u), 10) }

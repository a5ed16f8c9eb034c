package parser

import (
	"fmt"
	"github.com/plumbline/plumbline/pkg/input"
	"path/filepath"
	"slices"
	"strings"
)

// Parser reads one file's bytes into an Input. name is used in errors only.
type Parser interface {
	Parse(name string, data []byte) (*input.Input, error)
}

// MaxFileSize bounds what a parser is given: a policy input larger than
// this is a mistake (a binary, a dump), not configuration.
const MaxFileSize = 64 << 20

var parsers = map[string]Parser{
	"yaml":   yamlParser{},
	"json":   jsonParser{},
	"hcl2":   hcl2Parser{},
	"tfvars": tfvarsParser{},
	"tfplan": tfplanParser{},
	"ini":    iniParser{},
	"toml":   tomlParser{},
	"dotenv": dotenvParser{},
	"zone":   zoneParser{},
}

// Names lists the parsers New accepts.
func Names() []string {
	names := make([]string, 0, len(parsers))
	for n := range parsers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// New returns the parser called name.
func New(name string) (Parser, error) {
	if p, ok := parsers[name]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("unknown parser %q (known: %s)", name, strings.Join(Names(), ", "))
}

// ForPath names the parser for a file from its name, as conftest does for
// the formats both support; ok is false for files no parser claims, which
// a directory walk skips.
func ForPath(path string) (name string, ok bool) {
	base := strings.ToLower(filepath.Base(path))
	ext := strings.TrimPrefix(filepath.Ext(base), ".")
	switch {
	case strings.HasSuffix(base, ".tfplan.json") || base == "tfplan.json":
		return "tfplan", true
	case ext == "yaml" || ext == "yml":
		return "yaml", true
	case ext == "json":
		return "json", true
	case ext == "tf" || ext == "hcl":
		return "hcl2", true
	case ext == "tfvars":
		return "tfvars", true
	case ext == "ini":
		return "ini", true
	case ext == "toml":
		return "toml", true
	case base == ".env" || strings.HasPrefix(base, ".env.") || ext == "env":
		return "dotenv", true
	case ext == "zone":
		return "zone", true
	}
	return "", false
}
